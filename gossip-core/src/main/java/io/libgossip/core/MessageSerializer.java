package io.libgossip.core;

import org.jspecify.annotations.Nullable;

/**
 * Turns {@link GossipMessage}s into bytes and back. Implementations are thread-safe.
 *
 * <p>Decoders treat input as hostile: any byte sequence either decodes to a valid message or raises
 * {@link DecodeException}; nothing else escapes, and no input makes them allocate more than a
 * bounded multiple of its own length.
 */
public interface MessageSerializer {
  /** A short name for logs and configuration ({@code "binary"}, {@code "json"}). */
  String name();

  /** Encodes {@code message} into a new array. */
  byte[] encode(GossipMessage message);

  /**
   * Encodes {@code message} into {@code dst} at {@code offset}.
   *
   * @return the number of bytes written
   * @throws IndexOutOfBoundsException when {@code dst} has less room than {@link
   *     #encodedSize(GossipMessage)}
   */
  int encode(GossipMessage message, byte[] dst, int offset);

  /** The exact number of bytes {@link #encode(GossipMessage)} produces for {@code message}. */
  int encodedSize(GossipMessage message);

  /**
   * Decodes one message from {@code length} bytes at {@code offset}; the whole range must be one
   * message.
   *
   * @throws DecodeException when the bytes are not one valid message for this cluster
   */
  GossipMessage decode(byte[] bytes, int offset, int length) throws DecodeException;

  /**
   * Encodes {@code message} at wire format {@code version} into a new array. A format without
   * versions ignores {@code version}.
   *
   * @throws IllegalArgumentException when this serializer does not write {@code version}
   */
  default byte[] encode(GossipMessage message, int version) {
    return encode(message);
  }

  /**
   * Encodes {@code message} at wire format {@code version} into {@code dst} at {@code offset}. A
   * format without versions ignores {@code version}.
   *
   * @return the number of bytes written
   * @throws IllegalArgumentException when this serializer does not write {@code version}
   */
  default int encode(GossipMessage message, int version, byte[] dst, int offset) {
    return encode(message, dst, offset);
  }

  /**
   * The exact number of bytes {@link #encode(GossipMessage, int)} produces. A format without
   * versions ignores {@code version}.
   */
  default int encodedSize(GossipMessage message, int version) {
    return encodedSize(message);
  }

  /**
   * The range of wire versions the sender of a message says it speaks, read from the bytes {@link
   * #decode(byte[], int, int)} accepted; null when the message does not say (version 2, or a format
   * without versions). A runtime hands it to {@link GossipCore#handleMessage(GossipMessage,
   * WireVersions, long)}.
   */
  default @Nullable WireVersions senderVersions(byte[] bytes, int offset, int length) {
    return null;
  }

  /** Decodes one message occupying all of {@code bytes}. */
  default GossipMessage decode(byte[] bytes) throws DecodeException {
    return decode(bytes, 0, bytes.length);
  }
}
