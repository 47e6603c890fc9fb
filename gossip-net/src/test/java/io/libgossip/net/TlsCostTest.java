package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.testkit.TestCerts;
import io.netty.buffer.ByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * What TLS costs, measured in memory with the engines the transport uses (no sockets, so no network
 * time): a mutual-TLS 1.3 handshake (time and bytes), and the CPU of one push-pull of a
 * 1,000-member state with and without TLS records around it. Run by hand:
 *
 * <pre>
 * ./mvnw -B -ntp -q -o verify -pl gossip-net -am -Dtest=TlsCostTest \
 *   -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true -Dlibgossip.tlsCost=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "libgossip.tlsCost", matches = "true")
class TlsCostTest {
  private static final int HANDSHAKES = 200;
  private static final int PUSH_PULLS = 300;

  @Test
  void measure(@TempDir Path dir) throws Exception {
    TestCerts ca = new TestCerts(dir, "cost");
    TlsOptions a = TlsTestSupport.options(ca, ca.node("a")).requireClientAuth(true).build();
    TlsOptions b = TlsTestSupport.options(ca, ca.node("b")).requireClientAuth(true).build();

    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long[] nanos = new long[HANDSHAKES];
    long[] bytes = new long[HANDSHAKES];
    Pair last = null;
    for (int i = 0; i < HANDSHAKES; i++) {
      Pair p = new Pair(a, b);
      long t0 = cpu.getCurrentThreadCpuTime();
      bytes[i] = p.handshake();
      nanos[i] = cpu.getCurrentThreadCpuTime() - t0;
      last = p;
    }
    System.out.printf(
        "TLS 1.3 mutual handshake (EC P-256, in memory, %d runs): median %.2f ms CPU, %d bytes"
            + " (client->server %d, server->client %d); first run %.1f ms%n",
        HANDSHAKES,
        median(nanos) / 1e6,
        median(bytes),
        last.clientToServer,
        last.serverToClient,
        nanos[0] / 1e6);

    BinarySerializer s = BinarySerializer.forConfig(GossipConfig.lan());
    GossipMessage state = pushPull(1000);
    int size = s.encodedSize(state);
    long[] plain = new long[PUSH_PULLS];
    long[] records = new long[PUSH_PULLS];
    Pair p = new Pair(a, b);
    p.handshake();
    for (int round = 0; round < 2; round++) { // the first round warms up
      for (int i = 0; i < PUSH_PULLS; i++) {
        long t0 = cpu.getCurrentThreadCpuTime();
        byte[] out = new byte[size];
        s.encode(state, out, 0);
        assertThat(s.decode(out, 0, out.length).updates()).hasSize(1000);
        plain[i] = cpu.getCurrentThreadCpuTime() - t0;

        t0 = cpu.getCurrentThreadCpuTime();
        byte[] received = p.send(out);
        records[i] = cpu.getCurrentThreadCpuTime() - t0;
        assertThat(received).isEqualTo(out);
      }
    }
    System.out.printf(
        "push-pull of 1,000 members (%d bytes), CPU, median of %d: encode + decode %.0f us;"
            + " TLS records sealed + opened %.0f us more (+%.0f%%)%n",
        size,
        PUSH_PULLS,
        median(plain) / 1e3,
        median(records) / 1e3,
        100.0 * median(records) / median(plain));
  }

  private static GossipMessage pushPull(int n) {
    List<MemberUpdate> updates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      updates.add(
          new MemberUpdate(
              "node-" + i,
              new NodeAddress("10.0." + (i / 250) + "." + (i % 250), 7946),
              NodeStatus.ONLINE,
              i,
              Map.of("role", "web", "zone", "eu-west-1a"),
              1,
              0,
              "node-" + i));
    }
    return new GossipMessage.PushPull(
        "a", new NodeAddress("10.1.0.1", 7946), false, false, updates);
  }

  private static long median(long[] v) {
    long[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  /** A client and a server engine talking through buffers. */
  private static final class Pair {
    final SSLEngine client;
    final SSLEngine server;
    final ByteBuffer c2s = ByteBuffer.allocate(1 << 22);
    final ByteBuffer s2c = ByteBuffer.allocate(1 << 22);
    final ByteBuffer clientApp = ByteBuffer.allocate(1 << 22);
    final ByteBuffer serverApp = ByteBuffer.allocate(1 << 22);
    long clientToServer;
    long serverToClient;

    Pair(TlsOptions clientSide, TlsOptions serverSide) {
      client = clientSide.clientContext().newEngine(ByteBufAllocator.DEFAULT);
      server = serverSide.serverContext().newEngine(ByteBufAllocator.DEFAULT);
    }

    long handshake() throws SSLException {
      client.beginHandshake();
      server.beginHandshake();
      for (int guard = 0; guard < 1000; guard++) {
        boolean moved = step(client, s2c, c2s, clientApp, true);
        moved |= step(server, c2s, s2c, serverApp, false);
        if (done(client) && done(server) && !moved) {
          return clientToServer + serverToClient;
        }
      }
      throw new IllegalStateException("handshake did not finish");
    }

    /** Sends {@code app} from client to server through TLS records; returns what arrived. */
    byte[] send(byte[] app) throws SSLException {
      ByteBuffer src = ByteBuffer.wrap(app);
      serverApp.clear();
      while (src.hasRemaining()) {
        c2s.clear();
        client.wrap(src, c2s);
        c2s.flip();
        while (c2s.hasRemaining()) {
          SSLEngineResult r = server.unwrap(c2s, serverApp);
          if (r.bytesConsumed() == 0) {
            break;
          }
        }
      }
      serverApp.flip();
      byte[] out = new byte[serverApp.remaining()];
      serverApp.get(out);
      return out;
    }

    private static boolean done(SSLEngine e) {
      HandshakeStatus h = e.getHandshakeStatus();
      return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
    }

    private boolean step(
        SSLEngine e, ByteBuffer in, ByteBuffer out, ByteBuffer app, boolean isClient)
        throws SSLException {
      switch (e.getHandshakeStatus()) {
        case NEED_TASK -> {
          Runnable task;
          while ((task = e.getDelegatedTask()) != null) {
            task.run();
          }
          return true;
        }
        case NEED_WRAP -> {
          SSLEngineResult r = e.wrap(ByteBuffer.allocate(0), out);
          if (isClient) {
            clientToServer += r.bytesProduced();
          } else {
            serverToClient += r.bytesProduced();
          }
          return true;
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          in.flip();
          SSLEngineResult r = e.unwrap(in, app);
          in.compact();
          return r.bytesConsumed() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP;
        }
        default -> {
          return false;
        }
      }
    }
  }
}
