package io.libgossip.bench;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.DecodeException;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.libgossip.json.JsonSerializer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode cost of the two wire formats, on a typical probe packet ({@code ping8}: a Ping
 * with 8 piggybacked updates) and on a push-pull state of 1,000 members ({@code pushPull1000}).
 *
 * <p>{@code encode} allocates the output array (what a sender does once per packet); {@code
 * encodeInto} writes into a reused buffer; {@code encodedSize} only measures; {@code decode} parses
 * the bytes back into records. The wire size is printed once per trial to stderr ({@code [wire]
 * format=... bytes=...}) and by {@code ./gossip bench sizes}. Run with {@code -prof gc} for
 * allocation per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SerializerBenchmark {

  /** The wire format: {@code binary} ({@link BinarySerializer}) or {@code json}. */
  @Param({"binary", "json"})
  public String format;

  /** The message: {@code ping8} or {@code pushPull1000}. */
  @Param({"ping8", "pushPull1000"})
  public String message;

  MessageSerializer serializer;
  GossipMessage msg;
  GossipMessage[] msgs;
  int next;
  byte[] encoded;
  byte[] buffer;

  /** Builds the serializer and message, and encodes it once for the decode benchmark. */
  @Setup(Level.Trial)
  public void setUp() {
    serializer = serializer(format);
    msg = message(message);
    // Two equal but distinct instances, alternated: JsonSerializer caches the bytes of the last
    // message it encoded (by identity), which would otherwise turn every encode into a copy.
    msgs = new GossipMessage[] {msg, message(message)};
    encoded = serializer.encode(msg);
    buffer = new byte[encoded.length];
    System.err.printf("%n[wire] format=%s message=%s bytes=%d%n", format, message, encoded.length);
  }

  /** The serializer named {@code format}. */
  static MessageSerializer serializer(String format) {
    int max = Fixtures.config().maxMessageSize();
    switch (format) {
      case "binary":
        return new BinarySerializer(Fixtures.CLUSTER, max);
      case "json":
        return new JsonSerializer(Fixtures.CLUSTER, max);
      default:
        throw new IllegalArgumentException("format must be binary or json, got " + format);
    }
  }

  /** The fixture named {@code name}. */
  static GossipMessage message(String name) {
    switch (name) {
      case "ping8":
        return Fixtures.typicalPing();
      case "pushPull1000":
        return Fixtures.pushPull(1000);
      default:
        throw new IllegalArgumentException("message must be ping8 or pushPull1000, got " + name);
    }
  }

  /** Encodes into a new array. */
  @Benchmark
  public byte[] encode() {
    return serializer.encode(msgs[next++ & 1]);
  }

  /** Encodes into a reused buffer (no output allocation). */
  @Benchmark
  public int encodeInto() {
    return serializer.encode(msgs[next++ & 1], buffer, 0);
  }

  /**
   * Computes the encoded size only (what the simulator and the transports' size checks call for
   * every message; for JSON it encodes and caches the bytes).
   */
  @Benchmark
  public int encodedSize() {
    return serializer.encodedSize(msgs[next++ & 1]);
  }

  /** Decodes the pre-encoded bytes. */
  @Benchmark
  public GossipMessage decode() throws DecodeException {
    return serializer.decode(encoded);
  }
}
