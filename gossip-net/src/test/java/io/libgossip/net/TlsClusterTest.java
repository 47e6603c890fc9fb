package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.Delivery;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.testkit.TestCerts;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real nodes on loopback with TLS and mutual TLS; certificates are made by keytool per run. */
class TlsClusterTest {
  @TempDir static Path dir;
  private static TestCerts ca;
  private static TestCerts rogue;
  private static EventLoopPool pool;
  private final List<GossipNode> nodes = new ArrayList<>();
  private final List<Transport> transports = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    ca = new TestCerts(dir, "cluster");
    rogue = new TestCerts(dir, "rogue");
    pool = EventLoopPool.create(2, "tls-test");
  }

  @AfterAll
  static void stopGroup() {
    pool.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
    transports.forEach(Transport::close);
  }

  private static TlsOptions mtls(TestCerts issuer, String id) {
    return TlsTestSupport.options(issuer, issuer.node(id)).requireClientAuth(true).build();
  }

  private GossipNode.Builder builder(TlsOptions tls) {
    return GossipNode.builder()
        .bind("127.0.0.1", 0)
        .config(GossipConfig.local())
        .eventLoops(pool)
        .joinTimeout(Duration.ofSeconds(5))
        .transport(TransportType.TCP)
        .tls(tls);
  }

  private GossipNode start(GossipNode.Builder b) {
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  private static NodeStatus statusIn(GossipNode node, String id) {
    return node.findNode(id).map(NodeView::status).orElse(NodeStatus.UNKNOWN);
  }

  private static void awaitConvergence(List<GossipNode> all) {
    for (GossipNode node : all) {
      node.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    await("convergence of " + all.size() + " nodes")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> all.stream().allMatch(x -> online(x) == all.size()));
  }

  private static void awaitJoinFailure(GossipNode node) {
    await("join of " + node.id() + " fails")
        .atMost(Duration.ofSeconds(15))
        .until(() -> node.joinFuture().isDone());
    assertThatThrownBy(() -> node.joinFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(JoinException.class);
  }

  private static void awaitDrops(GossipNode node, TransportDropReason reason) {
    await(reason + " counted at " + node.id())
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> node.stats().drops(reason) > 0);
  }

  @Test
  void mutualTlsClusterOfThreeOverTcpFormsAndDetectsAFailure() {
    GossipNode a = start(builder(mtls(ca, "a")));
    TestCerts.Node bFiles = ca.node("b");
    TlsOptions bFromStore =
        TlsOptions.builder()
            .keyStore(ca.keyStore(bFiles), TestCerts.PASSWORD.toCharArray())
            .trustPem(ca.caPem)
            .requireClientAuth(true)
            .build();
    GossipNode b = start(builder(bFromStore).seeds(a.address().toString()));
    GossipNode c = start(builder(mtls(ca, "c")).seeds(a.address().toString()));
    assertThat(List.of(a.id(), b.id(), c.id())).containsExactly("a", "b", "c"); // from the certs
    awaitConvergence(List.of(a, b, c));

    c.close();
    await("c FAILED at a and b")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> statusIn(a, "c") == NodeStatus.FAILED && statusIn(b, "c") == NodeStatus.FAILED);
    for (GossipNode n : List.of(a, b)) {
      assertThat(n.stats().drops(TransportDropReason.TLS_IDENTITY_MISMATCH)).isZero();
      assertThat(n.stats().drops(TransportDropReason.TLS_PLAINTEXT)).isZero();
    }
  }

  @Test
  void serverAuthenticatedTlsClusterOverHybridForms() {
    GossipNode a =
        start(
            builder(TlsTestSupport.options(ca, ca.node("a")).build())
                .transport(TransportType.HYBRID));
    GossipNode b =
        start(
            builder(TlsTestSupport.options(ca, ca.node("b")).build())
                .transport(TransportType.HYBRID)
                .seeds(a.address().toString()));
    awaitConvergence(List.of(a, b));
  }

  @Test
  void nodeWithUntrustedCertificateCannotJoin() {
    GossipNode a = start(builder(mtls(ca, "a")));
    // A certificate from another CA (the node trusts the real CA, so only its own cert is bad).
    TlsOptions untrusted =
        TlsTestSupport.options(rogue, rogue.node("x"))
            .trustPem(ca.caPem)
            .requireClientAuth(true)
            .build();
    GossipNode x = start(builder(untrusted).seeds(a.address().toString()));
    awaitJoinFailure(x);
    awaitDrops(a, TransportDropReason.TLS_HANDSHAKE_FAILED);
    assertThat(a.findNode("x")).isEmpty();
  }

  @Test
  void nodeThatTrustsAnotherCaCannotJoin() {
    GossipNode a = start(builder(mtls(ca, "a")));
    GossipNode x = start(builder(mtls(rogue, "x")).seeds(a.address().toString()));
    awaitJoinFailure(x);
    awaitDrops(a, TransportDropReason.TLS_HANDSHAKE_FAILED);
    assertThat(a.findNode("x")).isEmpty();
  }

  @Test
  void certificateForAnotherIdIsRefusedAndCounted() throws Exception {
    GossipNode a = start(builder(mtls(ca, "a")));
    TlsOptions bCert = mtls(ca, "b");
    // A node cannot even be built with an id its certificate does not carry ...
    assertThatThrownBy(() -> start(builder(bCert).id("mallory")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'mallory' is not the id in its TLS certificate");
    // ... and a transport holding b's certificate that speaks as "mallory" is cut off.
    Transport t =
        TransportFactory.create(
            TransportType.TCP,
            TransportOptions.forConfig(GossipConfig.local())
                .bindHost("127.0.0.1")
                .eventLoops(pool)
                .tls(bCert)
                .build());
    transports.add(t);
    t.start();
    GossipMessage forged = new GossipMessage.Ping("mallory", t.localAddress(), 1, "a", List.of());
    t.sendAsync(forged, a.address(), Delivery.RELIABLE).get(5, TimeUnit.SECONDS);
    awaitDrops(a, TransportDropReason.TLS_IDENTITY_MISMATCH);
    await("connection closed")
        .atMost(Duration.ofSeconds(5))
        .until(() -> t.stats().openConnections() == 0);
    assertThat(a.findNode("mallory")).isEmpty();
  }

  @Test
  void peerWithoutCertificateIsRefused() throws Exception {
    GossipNode a = start(builder(mtls(ca, "a")));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    try (InputStream in = Files.newInputStream(ca.caPem)) {
      anchors.setCertificateEntry(
          "ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    tmf.init(anchors);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(null, tmf.getTrustManagers(), null); // no key: no client certificate
    try (SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", a.address().port())) {
      s.setSoTimeout(5000);
      try {
        s.startHandshake();
        s.getOutputStream().write(frame(ping("b")));
        s.getOutputStream().flush();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      } catch (java.io.IOException expected) {
        // the server's alert may surface as an exception instead
      }
    }
    awaitDrops(a, TransportDropReason.TLS_HANDSHAKE_FAILED);
    assertThat(a.findNode("b")).isEmpty();
  }

  @Test
  void plaintextPeersAreRefused() throws Exception {
    GossipNode a = start(builder(mtls(ca, "a")));
    try (Socket s = new Socket("127.0.0.1", a.address().port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(frame(ping("p")));
      out.flush();
      int read;
      try {
        read = s.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1;
      }
      assertThat(read).isEqualTo(-1); // closed without an answer
    }
    awaitDrops(a, TransportDropReason.TLS_PLAINTEXT);
    // A plaintext node cannot join either.
    GossipNode plain =
        start(
            GossipNode.builder()
                .bind("127.0.0.1", 0)
                .config(GossipConfig.local())
                .eventLoops(pool)
                .joinTimeout(Duration.ofSeconds(2))
                .transport(TransportType.TCP)
                .seeds(a.address().toString()));
    awaitJoinFailure(plain);
    assertThat(a.findNode("p")).isEmpty();
    assertThat(a.findNode(plain.id())).isEmpty();
  }

  @Test
  void mutualTlsOverHybridNeedsAnAuthenticatingTransform() {
    TlsOptions tls = mtls(ca, "a");
    assertThatThrownBy(() -> start(builder(tls).transport(TransportType.HYBRID)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unauthenticated UDP")
        .hasMessageContaining("use the tcp transport");
    assertThatThrownBy(
            () ->
                start(
                    builder(tls)
                        .transport(TransportType.HYBRID)
                        .transform(new TestTransforms.Label("test"))))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> start(builder(tls).transport(TransportType.UDP)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UDP transport has none");
    GossipNode ok =
        start(builder(tls).transport(TransportType.HYBRID).transform(new Authenticating()));
    assertThat(ok.id()).isEqualTo("a");
  }

  @Test
  void optionsNameTheFileThatIsWrong() throws Exception {
    TestCerts.Node a = ca.node("a");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(
            () -> TlsOptions.builder().keyPem(missing, a.keyPem()).trustPem(ca.caPem).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("cannot read the certificate chain");
    assertThatThrownBy(
            () -> TlsOptions.builder().keyPem(a.keyPem(), a.keyPem()).trustPem(ca.caPem).build())
        .hasMessageContaining(a.keyPem().toString())
        .hasMessageContaining("not PEM X.509 certificates");
    assertThatThrownBy(
            () ->
                TlsOptions.builder().keyPem(a.chainPem(), a.chainPem()).trustPem(ca.caPem).build())
        .hasMessageContaining("not an unencrypted PKCS#8 PEM key");
    assertThatThrownBy(
            () ->
                TlsOptions.builder()
                    .keyStore(ca.keyStore(ca.node("b")), "wrong".toCharArray())
                    .trustPem(ca.caPem)
                    .build())
        .hasMessageContaining("not a PKCS#12 or JKS store this password opens");
    assertThatThrownBy(() -> TlsOptions.builder().keyPem(a.chainPem(), a.keyPem()).build())
        .hasMessageContaining("TLS needs trust anchors");
    assertThatThrownBy(() -> TlsOptions.builder().trustPem(ca.caPem).build())
        .hasMessageContaining("TLS needs this node's key");
  }

  @Test
  void mutualTlsNeedsTheIdInTheNodesOwnCertificate() throws Exception {
    TestCerts.Node plain = ca.node("nosan", null);
    assertThatThrownBy(() -> TlsTestSupport.options(ca, plain).requireClientAuth(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gossip://<id>");
    TlsOptions serverOnly = TlsTestSupport.options(ca, plain).build();
    assertThat(serverOnly.localId()).isNull();
    assertThat(serverOnly.requireClientAuth()).isFalse();
    TlsOptions a = mtls(ca, "a");
    assertThat(a.localId()).isEqualTo("a");
    assertThat(a.toString()).contains("mutual, id a");
  }

  /** A stand-in for a keyring: declares that it authenticates (and changes nothing). */
  private static final class Authenticating implements PacketTransform {
    @Override
    public int overhead() {
      return 0;
    }

    @Override
    public byte[] encode(byte[] packet) {
      return packet;
    }

    @Override
    public TransformResult decode(byte[] packet) {
      return TransformResult.accepted(packet);
    }

    @Override
    public boolean authenticates() {
      return true;
    }
  }

  private static GossipMessage ping(String from) {
    return new GossipMessage.Ping(
        from, new io.libgossip.core.NodeAddress("127.0.0.1", 1), 1, "a", List.of());
  }

  private static byte[] frame(GossipMessage m) {
    BinarySerializer s = BinarySerializer.forConfig(GossipConfig.local());
    byte[] body = new byte[s.encodedSize(m)];
    s.encode(m, body, 0);
    byte[] out = new byte[4 + body.length];
    out[0] = (byte) (body.length >>> 24);
    out[1] = (byte) (body.length >>> 16);
    out[2] = (byte) (body.length >>> 8);
    out[3] = (byte) body.length;
    System.arraycopy(body, 0, out, 4, body.length);
    return out;
  }
}
