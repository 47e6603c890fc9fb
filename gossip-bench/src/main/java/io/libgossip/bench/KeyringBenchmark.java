package io.libgossip.bench;

import io.libgossip.net.Keyring;
import io.libgossip.net.KeyringTransform;
import io.libgossip.net.TransformResult;
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
 * Cost of sealing and opening one packet with {@link KeyringTransform} (AES-256-GCM, JDK provider)
 * on packets of {@code size} bytes: 64 (a bare probe), 1,358 (a full LAN packet, 1,400 bytes less
 * the 42 bytes of overhead) and 65,536 (a large TCP frame). {@code open} opens a packet sealed once
 * in set-up; {@code sealAndOpen} is what one packet costs its sender and receiver together.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class KeyringBenchmark {

  /** The packet size before sealing, in bytes. */
  @Param({"64", "1358", "65536"})
  public int size;

  KeyringTransform transform;
  byte[] packet;
  byte[] sealed;

  /** Makes a keyring with one random key, a packet and a sealed copy of it. */
  @Setup(Level.Trial)
  public void setUp() {
    transform = new KeyringTransform(Keyring.of(Keyring.generateKey()), "bench");
    packet = new byte[size];
    for (int i = 0; i < size; i++) {
      packet[i] = (byte) i;
    }
    sealed = transform.encode(packet.clone());
  }

  /** Seals one packet (the transform may modify its input, which it does not). */
  @Benchmark
  public byte[] seal() {
    return transform.encode(packet);
  }

  /** Opens one sealed packet. */
  @Benchmark
  public TransformResult open() {
    return transform.decode(sealed);
  }

  /** Seals a packet and opens it again. */
  @Benchmark
  public TransformResult sealAndOpen() {
    return transform.decode(transform.encode(packet));
  }
}
