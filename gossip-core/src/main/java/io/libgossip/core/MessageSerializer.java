package io.libgossip.core;

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

  /** Decodes one message occupying all of {@code bytes}. */
  default GossipMessage decode(byte[] bytes) throws DecodeException {
    return decode(bytes, 0, bytes.length);
  }
}
