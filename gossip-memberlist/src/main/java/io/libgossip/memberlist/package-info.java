/**
 * A codec for the wire format of HashiCorp memberlist and of Serf on top of it: typed messages
 * ({@link io.libgossip.memberlist.MemberlistMessage}), packet and stream framing with label, CRC,
 * compound packets and AES-GCM encryption ({@link io.libgossip.memberlist.WireCodec}), and Serf's
 * tags and user messages ({@link io.libgossip.memberlist.SerfTags}, {@link
 * io.libgossip.memberlist.SerfCodec}).
 *
 * <p>Decoders treat every byte as hostile: a malformed, truncated or oversized input raises {@link
 * io.libgossip.memberlist.MemberlistDecodeException} with a reason, and no length field is trusted
 * beyond the bytes present and the configured limits.
 */
@NullMarked
package io.libgossip.memberlist;

import org.jspecify.annotations.NullMarked;
