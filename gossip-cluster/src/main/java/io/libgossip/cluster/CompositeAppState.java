package io.libgossip.cluster;

import io.libgossip.core.AppState;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Several {@link AppState}s behind a node's one anti-entropy hook, each in a named section: for
 * example a {@link ClusterConfig} and the application's own state. Every push-pull carries every
 * section that has state; each peer section is merged by the section of the same name, and a
 * section this node does not have is skipped and counted (so members may add sections one at a
 * time).
 *
 * <pre>
 * u8 version (1) | u8 count | (u8 name length | name (ASCII) | i32 length | bytes) * count
 * </pre>
 *
 * <p>Malformed bytes are counted ({@link #malformed()}) and merge nothing; a section that throws is
 * counted ({@link #sectionFailures()}) and does not stop the others. Sections are called on the
 * thread that calls this state (a node's event loop), in the order they were added.
 */
public final class CompositeAppState implements AppState {
  private static final int VERSION = 1;

  /** The most sections. */
  public static final int MAX_SECTIONS = 255;

  /** The longest section name, in characters (printable ASCII). */
  public static final int MAX_NAME_LENGTH = 64;

  private final Map<String, AppState> sections;
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong unknownSections = new AtomicLong();
  private final AtomicLong sectionFailures = new AtomicLong();

  private CompositeAppState(Map<String, AppState> sections) {
    this.sections = sections;
  }

  /** A builder with no section yet. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public byte[] localState(boolean join) {
    byte[][] states = new byte[sections.size()][];
    byte[][] names = new byte[sections.size()][];
    int i = 0;
    long size = 2;
    int count = 0;
    for (Map.Entry<String, AppState> e : sections.entrySet()) {
      byte[] s;
      try {
        s = e.getValue().localState(join);
      } catch (RuntimeException ex) {
        sectionFailures.incrementAndGet();
        s = null;
      }
      if (s != null && s.length > 0) {
        states[i] = s;
        names[i] = e.getKey().getBytes(StandardCharsets.US_ASCII);
        size += 1 + names[i].length + 4 + s.length;
        count++;
      }
      i++;
    }
    if (count == 0) {
      return new byte[0];
    }
    if (size > Integer.MAX_VALUE - 8) {
      sectionFailures.incrementAndGet();
      return new byte[0];
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    b.put((byte) VERSION).put((byte) count);
    for (int k = 0; k < states.length; k++) {
      if (states[k] != null) {
        b.put((byte) names[k].length).put(names[k]).putInt(states[k].length).put(states[k]);
      }
    }
    return b.array();
  }

  @Override
  public void mergeRemoteState(String from, byte[] state, boolean join) {
    // check the whole frame before merging any section
    ByteBuffer b = ByteBuffer.wrap(state);
    try {
      if (b.get() != VERSION) {
        malformed.incrementAndGet();
        return;
      }
      int count = Byte.toUnsignedInt(b.get());
      int start = b.position();
      for (int i = 0; i < count; i++) {
        int nl = Byte.toUnsignedInt(b.get());
        if (nl < 1 || nl > MAX_NAME_LENGTH || nl > b.remaining()) {
          malformed.incrementAndGet();
          return;
        }
        b.position(b.position() + nl);
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
          malformed.incrementAndGet();
          return;
        }
        b.position(b.position() + len);
      }
      if (b.hasRemaining()) {
        malformed.incrementAndGet();
        return;
      }
      b.position(start);
      for (int i = 0; i < count; i++) {
        byte[] name = new byte[Byte.toUnsignedInt(b.get())];
        b.get(name);
        byte[] s = new byte[b.getInt()];
        b.get(s);
        AppState section = sections.get(new String(name, StandardCharsets.US_ASCII));
        if (section == null) {
          unknownSections.incrementAndGet();
          continue;
        }
        try {
          section.mergeRemoteState(from, s, join);
        } catch (RuntimeException ex) {
          sectionFailures.incrementAndGet();
        }
      }
    } catch (BufferUnderflowException e) {
      malformed.incrementAndGet();
    }
  }

  /** Peer states dropped as malformed. */
  public long malformed() {
    return malformed.get();
  }

  /** Peer sections skipped because this node has no section of their name. */
  public long unknownSections() {
    return unknownSections.get();
  }

  /** Section calls that threw. */
  public long sectionFailures() {
    return sectionFailures.get();
  }

  /** Builds a {@link CompositeAppState}. */
  public static final class Builder {
    private final Map<String, AppState> sections = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a section.
     *
     * @param name printable ASCII without spaces, 1 to {@value #MAX_NAME_LENGTH} characters,
     *     unique; the same on every member
     * @throws IllegalArgumentException for a bad or repeated name, or over {@value #MAX_SECTIONS}
     */
    public Builder section(String name, AppState state) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(state, "state");
      if (name.isEmpty()
          || name.length() > MAX_NAME_LENGTH
          || !name.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
        throw new IllegalArgumentException(
            "section name must be 1 to 64 printable ASCII characters without spaces, got '"
                + name
                + "'");
      }
      if (sections.containsKey(name)) {
        throw new IllegalArgumentException("section " + name + " is already there");
      }
      if (sections.size() == MAX_SECTIONS) {
        throw new IllegalArgumentException("at most " + MAX_SECTIONS + " sections");
      }
      sections.put(name, state);
      return this;
    }

    /** Builds the composite state. */
    public CompositeAppState build() {
      return new CompositeAppState(new LinkedHashMap<>(sections));
    }
  }
}
