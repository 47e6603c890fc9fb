package io.libgossip.core;

/**
 * The binary layout of the application message types of wire version 4 (see {@link
 * BinarySerializer} for the header, strings and varints):
 *
 * <pre>
 * 7 USER         id: varint | flags: 1 byte | topic: string | payload: bytes
 *                  flags: bits 0..2 kind (0 MESSAGE, 1 REQUEST, 2 RESPONSE, 3 RECEIPT, 4 REJECT),
 *                         bit 3 reliable, bits 4..7 zero
 *                  topic empty exactly for RESPONSE, RECEIPT and REJECT; id 0 only for a
 *                  best-effort MESSAGE; payload empty for RECEIPT and REJECT
 * 8 QUERY        id: varint (not 0) | flags: 1 byte (bit 0 ack requested, bits 1..7 zero)
 *                | name: string | timeoutMillis: varint (1 to 3600000)
 *                | filter count: varint (0 to 16) | (key: string | pattern: string) ... | payload
 *                  keys in ascending order ({@link String#compareTo}), no duplicates
 * 9 QUERY_REPLY  queryId: varint (not 0) | flags: 1 byte (bit 0 ack, bits 1..7 zero) | payload
 *                  payload empty for an ack
 * bytes:         length: varint | length bytes
 * </pre>
 *
 * The piggybacked updates follow the type fields, as in every message type. A push-pull at version
 * 4 may also carry the sender's application state: flag bit 3, and after the range list (if any)
 * the state as {@code bytes}, at least one byte (the flag is set exactly when there is state).
 * Types 7 to 9 and flag bit 3 in a packet of version 2 or 3 are {@link DropReason#UNKNOWN_TYPE} and
 * {@link DropReason#MALFORMED}.
 */
final class UserCodec {
  private UserCodec() {}

  /** The lowest type code that exists only from version 4. */
  static final int FIRST_USER_TYPE = 7;

  /** USER flags: the kind in bits 0..2, then the path. */
  static final int USER_KIND_MASK = 0x07;

  static final int USER_RELIABLE = 0x08;
  static final int USER_RESERVED = 0xF0;

  /** QUERY flag: targets acknowledge on delivery. */
  static final int QUERY_ACK = 0x01;

  /** QUERY_REPLY flag: an acknowledgement, not an answer. */
  static final int REPLY_ACK = 0x01;

  /** The flags byte of {@code m}. */
  static int userFlags(UserMessage m) {
    return m.kind().code() | (m.reliable() ? USER_RELIABLE : 0);
  }
}
