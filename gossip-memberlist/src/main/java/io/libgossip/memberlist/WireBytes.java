package io.libgossip.memberlist;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string: addresses, metadata and payloads carried in messages. */
public final class WireBytes {
  /** The empty byte string. */
  public static final WireBytes EMPTY = new WireBytes(new byte[0]);

  private final byte[] bytes;

  private WireBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * A byte string holding a copy of {@code bytes}.
   *
   * @param bytes the content
   * @return the byte string
   */
  public static WireBytes of(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new WireBytes(bytes.clone());
  }

  /**
   * The UTF-8 encoding of {@code text}.
   *
   * @param text the text
   * @return the byte string
   */
  public static WireBytes utf8(String text) {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  static WireBytes wrap(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new WireBytes(bytes);
  }

  /**
   * A copy of the content.
   *
   * @return the bytes
   */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  byte[] unsafeArray() {
    return bytes;
  }

  /**
   * The number of bytes.
   *
   * @return the length
   */
  public int length() {
    return bytes.length;
  }

  /**
   * Whether there are no bytes.
   *
   * @return true when empty
   */
  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /**
   * The content decoded as UTF-8 (malformed sequences replaced).
   *
   * @return the text
   */
  public String asUtf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WireBytes other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
