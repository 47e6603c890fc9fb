package io.libgossip.net;

/**
 * One stage of the byte-level packet pipeline between the serializer and the network: a label
 * prefix, a checksum, encryption. A node applies its transforms to every datagram and every TCP
 * frame payload: outbound in the order they were given, each to the previous one's output; inbound
 * in the reverse order.
 *
 * <pre>
 * outbound: message -> serializer -> transform 1 -> ... -> transform n -> datagram or frame
 * inbound:  datagram or frame -> transform n -> ... -> transform 1 -> serializer -> message
 * </pre>
 *
 * <p>The sum of the transforms' {@link #overhead()}s is taken off the core's packing budget, so
 * that a packet the core fills to {@link io.libgossip.core.GossipConfig#maxPacketSize()} still fits
 * one datagram after every transform.
 *
 * <p>Inbound bytes are hostile: {@link #decode} returns a {@link TransformResult.Rejected} for
 * anything it does not accept (another cluster's label, no key that authenticates the packet, a
 * damaged packet) and never throws; the transport counts each rejection as {@link
 * TransportDropReason#REJECTED_BY_TRANSFORM} and logs it at a bounded rate. A transform that holds
 * several keys tries each in {@code decode} and rejects only when none fits.
 *
 * <p>Implementations are thread-safe: a transport calls them from several I/O threads at once.
 */
public interface PacketTransform {

  /**
   * A short name for logs, such as {@code "label"} or {@code "aes-gcm"}; by default the class's
   * simple name.
   */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() ? getClass().getName() : simple;
  }

  /**
   * The most bytes {@link #encode} adds to a packet (a prefix, a nonce and a tag). Constant for the
   * life of the transform; at least 0.
   */
  int overhead();

  /**
   * Transforms one outbound packet. The result is at most {@code packet.length + overhead()} bytes
   * long (the pipeline refuses the packet otherwise); it may be {@code packet} itself when nothing
   * changes. {@code packet} is not used by the caller afterwards, so it may be modified.
   *
   * @throws RuntimeException only for a programmer error or an unusable key; the packet is then
   *     dropped and counted as {@link TransportDropReason#UNENCODABLE}
   */
  byte[] encode(byte[] packet);

  /**
   * Reverses {@link #encode} on one inbound packet. Never throws for any input: returns {@link
   * TransformResult#accepted(byte[])} with the inner bytes, or {@link
   * TransformResult#rejected(String)} saying why the packet is not this cluster's or is damaged.
   * {@code packet} may be modified or returned as the result.
   */
  TransformResult decode(byte[] packet);

  /**
   * Whether {@link #decode} accepts only packets sealed by a holder of the cluster's secret (an
   * authenticated cipher such as AES-GCM), so that a packet it accepts is known to come from a
   * member. A label or a checksum does not. Mutual TLS requires such a transform on the UDP path of
   * a node (see {@link TlsOptions#requireClientAuth()}). Default false.
   */
  default boolean authenticates() {
    return false;
  }
}
