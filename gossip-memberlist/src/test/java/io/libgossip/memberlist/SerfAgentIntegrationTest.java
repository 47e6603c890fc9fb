package io.libgossip.memberlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.libgossip.memberlist.MemberlistMessage.Ack;
import io.libgossip.memberlist.MemberlistMessage.NodeState;
import io.libgossip.memberlist.MemberlistMessage.Ping;
import io.libgossip.memberlist.MemberlistMessage.PushNodeState;
import io.libgossip.memberlist.MemberlistMessage.PushPull;
import io.libgossip.memberlist.MemberlistMessage.Versions;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speaks the codec to a real {@code serf agent} on loopback: a join push-pull over TCP, then a ping
 * over UDP; plaintext and with {@code -encrypt}. Skipped when {@code /usr/bin/serf} is absent.
 */
class SerfAgentIntegrationTest {
  private static final Path SERF = Path.of("/usr/bin/serf");
  private static final String TEST_NODE = "java-test";

  @TempDir Path tmp;
  private @Nullable Process serf;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stopSerf() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    Process p = serf;
    if (p != null) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void joinPushPullAndPingWithPlaintextSerf() throws Exception {
    exchangeWithSerf(null);
  }

  @Test
  void joinPushPullAndPingWithEncryptedSerf() throws Exception {
    byte[] key = new byte[32];
    new SplittableRandom(63).nextBytes(key);
    exchangeWithSerf(key);
  }

  private void exchangeWithSerf(byte @Nullable [] key) throws Exception {
    assumeTrue(Files.isExecutable(SERF), "serf is not installed at " + SERF);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int bind = freePort();
    int rpc = freePort();
    List<String> cmd = new ArrayList<>(List.of(SERF.toString(), "agent", "-node", "s1"));
    cmd.addAll(List.of("-bind", "127.0.0.1:" + bind, "-rpc-addr", "127.0.0.1:" + rpc));
    cmd.addAll(List.of("-tag", "role=web"));
    WireConfig config = WireConfig.defaults();
    if (key != null) {
      cmd.addAll(List.of("-encrypt", Base64.getEncoder().encodeToString(key)));
      config = config.withKeyring(Keyring.of(key));
    }
    Path log = tmp.resolve("serf.log");
    serf = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> canConnect(bind));

    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
    closeables.add(udp);
    udp.setSoTimeout(500);
    WireCodec codec = new WireCodec(config);

    PushNodeState self =
        new PushNodeState(
            TEST_NODE,
            WireBytes.of(loopback.getAddress()),
            udp.getLocalPort(),
            SerfTags.encode(Map.of("role", "java")),
            1,
            NodeState.ALIVE,
            Versions.SERF_DEFAULT);
    byte[] answer;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(loopback, bind), 5_000);
      s.setSoTimeout(5_000);
      s.getOutputStream()
          .write(codec.encodeStream(new PushPull(true, List.of(self), WireBytes.EMPTY)));
      s.getOutputStream().flush();
      answer = readToEnd(s.getInputStream(), config.maxStreamBytes());
    }
    if (key == null) {
      // Serf enables memberlist compression: the answer is LZW-compressed.
      assertThat(answer[0] & 0xff).isEqualTo(MemberlistMessage.COMPRESS);
    }
    MemberlistMessage reply = codec.decodeStream(answer);
    assertThat(reply).as("serf log: %s", Files.readString(log)).isInstanceOf(PushPull.class);
    PushPull pp = (PushPull) reply;
    PushNodeState s1 =
        pp.nodes().stream()
            .filter(n -> n.name().equals("s1"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no s1 in " + pp.nodes()));
    assertThat(s1.addr()).isEqualTo(WireBytes.of(loopback.getAddress()));
    assertThat(s1.port()).isEqualTo(bind);
    assertThat(s1.state()).isEqualTo(NodeState.ALIVE);
    assertThat(SerfTags.decode(s1.meta())).containsEntry("role", "web");
    assertThat(s1.versions()).isEqualTo(Versions.SERF_DEFAULT);
    assertThat(pp.userState().isEmpty()).isFalse();
    assertThat(SerfCodec.decode(pp.userState())).isInstanceOf(SerfMessage.PushPull.class);

    long seq = 4242;
    byte[] ping =
        codec.encodePacket(
            new Ping(
                seq, "s1", WireBytes.of(loopback.getAddress()), udp.getLocalPort(), TEST_NODE));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    byte[] buf = new byte[65_536];
    long nextSend = 0;
    boolean acked = false;
    while (deadline - System.nanoTime() > 0) {
      if (System.nanoTime() - nextSend >= 0) {
        udp.send(new DatagramPacket(ping, ping.length, loopback, bind));
        nextSend = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      }
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        udp.receive(in);
      } catch (SocketTimeoutException e) {
        continue;
      }
      byte[] packet = java.util.Arrays.copyOf(in.getData(), in.getLength());
      for (MemberlistMessage m : codec.decodePacket(packet)) {
        if (m instanceof Ack a && a.seqNo() == seq) {
          acked = true;
        } else if (m instanceof Ping p && p.node().equals(TEST_NODE)) {
          // The agent probes the test node: answer as memberlist would.
          byte[] ack = codec.encodePacket(new Ack(p.seqNo(), WireBytes.EMPTY));
          udp.send(new DatagramPacket(ack, ack.length, in.getSocketAddress()));
        }
      }
      if (acked) {
        break;
      }
    }
    if (!acked) {
      fail("no ack for seq " + seq + "; serf log: " + Files.readString(log));
    }

    // The agent took the pushed node state and its Serf tags: `serf members` lists it.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> serfMembers(rpc).contains("\"name\":\"" + TEST_NODE + "\""));
    assertThat(serfMembers(rpc)).contains("\"role\":\"java\"");
  }

  /** `serf members -format json` against the agent's RPC address, whitespace removed. */
  private String serfMembers(int rpc) throws IOException, InterruptedException {
    Path out = tmp.resolve("members.json");
    Process p =
        new ProcessBuilder(
                SERF.toString(), "members", "-rpc-addr", "127.0.0.1:" + rpc, "-format", "json")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      return "";
    }
    return Files.readString(out).replaceAll("\\s", "");
  }

  private static boolean canConnect(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] readToEnd(InputStream in, int max) throws IOException {
    byte[] b = in.readNBytes(max + 1); // to the end, or one byte past the bound
    if (b.length > max) {
      throw new IOException("stream over " + max + " bytes");
    }
    return b;
  }

  /** A port free for both TCP and UDP on loopback (serf binds both). */
  private static int freePort() throws IOException {
    for (int i = 0; i < 20; i++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = s.getLocalPort();
      }
      try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
        return d.getLocalPort();
      } catch (IOException e) {
        // Taken for UDP: try another.
      }
    }
    throw new IOException("no free TCP+UDP port");
  }
}
