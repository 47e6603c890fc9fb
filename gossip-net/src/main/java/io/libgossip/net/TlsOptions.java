package io.libgossip.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * TLS for every TCP connection of a node, and optionally <em>mutual</em> TLS that ties each
 * connection to a node id. An immutable value: the key, the certificate chain and the trust anchors
 * are read and checked when it is built.
 *
 * <p><b>Identity.</b> A node's id is written in its certificate as one subject alternative name of
 * type URI: {@code gossip://<id>} (the id verbatim after {@code gossip://}, e.g. {@code
 * gossip://node-1}). A certificate with none or with several such names has no id. With {@link
 * #requireClientAuth()} on (mutual TLS), a connection whose peer presents no certificate, one not
 * signed by a trust anchor, or one without an id is refused, and every message on the connection
 * must name that id as its sender ({@link io.libgossip.core.GossipMessage#from()}); a message that
 * does not is dropped ({@link TransportDropReason#TLS_IDENTITY_MISMATCH}) and the connection
 * closed. Host names are not checked: the id is the identity, not the address.
 *
 * <p>Only TLS 1.3 is offered, on the JDK's provider ({@link SslProvider#JDK}; no native library).
 */
public final class TlsOptions {
  /** The prefix of the subject alternative name (type URI) that carries a node id. */
  public static final String ID_URI_PREFIX = "gossip://";

  /** The only protocol offered. */
  static final String PROTOCOL = "TLSv1.3";

  private static final int SAN_URI = 6;

  private final SslContext server;
  private final SslContext client;
  private final boolean requireClientAuth;
  private final @Nullable String localId;
  private final String description;

  private TlsOptions(
      SslContext server,
      SslContext client,
      boolean requireClientAuth,
      @Nullable String localId,
      String description) {
    this.server = server;
    this.client = client;
    this.requireClientAuth = requireClientAuth;
    this.localId = localId;
    this.description = description;
  }

  /** A builder: a key and trust anchors are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether peers must present a certificate signed by a trust anchor and carrying their id (mutual
   * TLS), and every message must come from that id. Off: TLS encrypts and authenticates the
   * accepting side only.
   */
  public boolean requireClientAuth() {
    return requireClientAuth;
  }

  /** The id in this node's own certificate ({@code gossip://<id>}), or null when it has none. */
  public @Nullable String localId() {
    return localId;
  }

  /** The context for accepted connections. */
  SslContext serverContext() {
    return server;
  }

  /** The context for connections this node opens. */
  SslContext clientContext() {
    return client;
  }

  @Override
  public String toString() {
    return description;
  }

  /**
   * The node id a certificate carries: the text after {@code gossip://} in its only subject
   * alternative name of type URI that starts so. Null when it has none, several, or an empty one.
   */
  public static @Nullable String idOf(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return null;
    }
    if (names == null) {
      return null;
    }
    String found = null;
    for (List<?> name : names) {
      if (name.size() < 2
          || !(name.get(0) instanceof Integer type)
          || type != SAN_URI
          || !(name.get(1) instanceof String uri)
          || !uri.startsWith(ID_URI_PREFIX)) {
        continue;
      }
      if (found != null) {
        return null; // ambiguous
      }
      found = uri.substring(ID_URI_PREFIX.length());
    }
    return found == null || found.isEmpty() ? null : found;
  }

  /**
   * Checks that a node of {@code type} with {@code options} and the chosen {@code id} (null: not
   * chosen) can use its TLS settings, and returns the id its certificate names (null without TLS or
   * without an id in the certificate).
   *
   * @throws IllegalArgumentException for TLS on a UDP-only transport, or an id that is not the
   *     certificate's
   * @throws IllegalStateException for mutual TLS whose UDP path has no authenticating transform
   */
  static @Nullable String checkNode(
      TransportType type, TransportOptions options, @Nullable String id) {
    TlsOptions tls = options.tls().orElse(null);
    if (tls == null) {
      return null;
    }
    if (type == TransportType.UDP) {
      throw new IllegalArgumentException(
          "TLS protects TCP connections and the UDP transport has none: use the tcp or hybrid"
              + " transport");
    }
    if (tls.requireClientAuth()
        && type != TransportType.TCP
        && options.transforms().stream().noneMatch(PacketTransform::authenticates)) {
      throw new IllegalStateException(
          "mutual TLS authenticates TCP only, but this "
              + type.name().toLowerCase(java.util.Locale.ROOT)
              + " node would accept unauthenticated UDP packets in which anyone can speak for any"
              + " member: add a packet transform that authenticates (a keyring), or use the tcp"
              + " transport");
    }
    String certified = tls.localId();
    if (certified != null && id != null && !certified.equals(id)) {
      throw new IllegalArgumentException(
          "node id '"
              + id
              + "' is not the id in its TLS certificate ("
              + ID_URI_PREFIX
              + certified
              + "): peers would refuse its messages");
    }
    return certified;
  }

  /** Builds {@link TlsOptions}; {@link #build()} reads the files and says which one is bad. */
  public static final class Builder {
    private @Nullable Path certChainPem;
    private @Nullable Path privateKeyPem;
    private @Nullable Path keyStore;
    private char @Nullable [] keyStorePassword;
    private @Nullable Path trustPem;
    private @Nullable Path trustStore;
    private char @Nullable [] trustStorePassword;
    private boolean requireClientAuth;

    private Builder() {}

    /**
     * This node's certificate chain (PEM: its certificate first, then any intermediates) and its
     * private key (PEM, unencrypted PKCS#8: {@code -----BEGIN PRIVATE KEY-----}; RSA, EC or
     * Ed25519). Replaces a key store.
     */
    public Builder keyPem(Path certificateChain, Path privateKey) {
      certChainPem = Objects.requireNonNull(certificateChain, "certificateChain");
      privateKeyPem = Objects.requireNonNull(privateKey, "privateKey");
      keyStore = null;
      return this;
    }

    /**
     * This node's key and certificate chain from a PKCS#12 or JKS key store holding one private key
     * entry; the password opens both the store and the key. Replaces PEM files.
     */
    public Builder keyStore(Path file, char[] password) {
      keyStore = Objects.requireNonNull(file, "file");
      keyStorePassword = Objects.requireNonNull(password, "password").clone();
      certChainPem = null;
      privateKeyPem = null;
      return this;
    }

    /**
     * The trust anchors (PEM, one or more CA certificates): a peer's chain must lead to one of
     * them. Replaces a trust store.
     */
    public Builder trustPem(Path caCertificates) {
      trustPem = Objects.requireNonNull(caCertificates, "caCertificates");
      trustStore = null;
      return this;
    }

    /** The trust anchors from a PKCS#12 or JKS trust store. Replaces PEM trust anchors. */
    public Builder trustStore(Path file, char[] password) {
      trustStore = Objects.requireNonNull(file, "file");
      trustStorePassword = Objects.requireNonNull(password, "password").clone();
      trustPem = null;
      return this;
    }

    /** See {@link TlsOptions#requireClientAuth()}; default off. */
    public Builder requireClientAuth(boolean v) {
      requireClientAuth = v;
      return this;
    }

    /**
     * Reads the key and the trust anchors and builds.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it (missing,
     *     unreadable, not PEM, wrong password, no private key), or when a key or trust anchors are
     *     missing, or when mutual TLS is on and this node's certificate carries no {@code
     *     gossip://} id
     */
    public TlsOptions build() {
      KeyManagerFactory kmf;
      X509Certificate own;
      if (keyStore != null) {
        KeyStore ks = loadStore(keyStore, Objects.requireNonNull(keyStorePassword), "key store");
        own = ownCertificate(ks, keyStore);
        kmf = keyManagers(ks, keyStorePassword, keyStore);
      } else if (certChainPem != null && privateKeyPem != null) {
        List<X509Certificate> chain = readCertificates(certChainPem, "certificate chain");
        PrivateKey key = readPrivateKey(privateKeyPem);
        own = chain.get(0);
        char[] pw = new char[0];
        try {
          KeyStore ks = KeyStore.getInstance("PKCS12");
          ks.load(null, null);
          ks.setKeyEntry("node", key, pw, chain.toArray(new Certificate[0]));
          kmf = keyManagers(ks, pw, certChainPem);
        } catch (GeneralSecurityException | IOException e) {
          throw bad(
              privateKeyPem, "private key does not match the certificate chain " + certChainPem, e);
        }
      } else {
        throw new IllegalArgumentException(
            "TLS needs this node's key: set keyPem(certificateChain, privateKey) or keyStore");
      }
      TrustManagerFactory tmf;
      try {
        KeyStore anchors;
        if (trustStore != null) {
          anchors =
              loadStore(trustStore, Objects.requireNonNull(trustStorePassword), "trust store");
        } else if (trustPem != null) {
          anchors = KeyStore.getInstance("PKCS12");
          anchors.load(null, null);
          int i = 0;
          for (X509Certificate ca : readCertificates(trustPem, "trust anchors")) {
            anchors.setCertificateEntry("ca-" + i++, ca);
          }
        } else {
          throw new IllegalArgumentException(
              "TLS needs trust anchors: set trustPem(caCertificates) or trustStore");
        }
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalArgumentException("cannot use the TLS trust anchors: " + e, e);
      }
      String id = idOf(own);
      if (requireClientAuth && id == null) {
        throw new IllegalArgumentException(
            "mutual TLS needs this node's certificate to carry its id as exactly one subject"
                + " alternative name URI "
                + ID_URI_PREFIX
                + "<id>; "
                + own.getSubjectX500Principal().getName()
                + " has none");
      }
      try {
        SslContext server =
            SslContextBuilder.forServer(kmf)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOL)
                .trustManager(tmf)
                .clientAuth(requireClientAuth ? ClientAuth.REQUIRE : ClientAuth.NONE)
                .build();
        SslContext client =
            SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOL)
                .endpointIdentificationAlgorithm(null) // the id is the identity, not the host
                .keyManager(kmf)
                .trustManager(tmf)
                .build();
        String description =
            "TLS 1.3 (JDK)"
                + (requireClientAuth ? ", mutual, id " + id : ", server-authenticated")
                + ", certificate "
                + own.getSubjectX500Principal().getName();
        return new TlsOptions(server, client, requireClientAuth, id, description);
      } catch (SSLException e) {
        throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
      }
    }

    private static KeyStore loadStore(Path file, char[] password, String what) {
      byte[] bytes = read(file, what);
      GeneralSecurityException last = null;
      IOException io = null;
      for (String type : new String[] {"PKCS12", "JKS"}) {
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
          KeyStore ks = KeyStore.getInstance(type);
          ks.load(in, password);
          return ks;
        } catch (GeneralSecurityException e) {
          last = e;
        } catch (IOException e) {
          io = e; // a wrong password or another format
        }
      }
      Exception cause = io != null ? io : last;
      throw bad(
          file,
          what
              + " is not a PKCS#12 or JKS store this password opens"
              + (cause != null ? " (" + cause.getMessage() + ")" : ""),
          cause);
    }

    private static X509Certificate ownCertificate(KeyStore ks, Path file) {
      try {
        Enumeration<String> aliases = ks.aliases();
        while (aliases.hasMoreElements()) {
          String alias = aliases.nextElement();
          if (ks.isKeyEntry(alias) && ks.getCertificate(alias) instanceof X509Certificate c) {
            return c;
          }
        }
      } catch (GeneralSecurityException e) {
        throw bad(file, "cannot read the key store: " + e.getMessage(), e);
      }
      throw bad(file, "key store holds no private key entry with an X.509 certificate", null);
    }

    private static KeyManagerFactory keyManagers(KeyStore ks, char[] password, Path file) {
      try {
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return kmf;
      } catch (GeneralSecurityException e) {
        throw bad(file, "cannot use the private key: " + e.getMessage(), e);
      }
    }

    private static List<X509Certificate> readCertificates(Path file, String what) {
      byte[] bytes = read(file, what);
      List<X509Certificate> out = new ArrayList<>();
      try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          if (c instanceof X509Certificate x) {
            out.add(x);
          }
        }
      } catch (CertificateException | IOException e) {
        throw bad(file, what + " is not PEM X.509 certificates: " + e.getMessage(), e);
      }
      if (out.isEmpty()) {
        throw bad(file, what + " holds no certificate", null);
      }
      return out;
    }

    private static PrivateKey readPrivateKey(Path file) {
      String text = new String(read(file, "private key"), StandardCharsets.US_ASCII);
      String begin = "-----BEGIN PRIVATE KEY-----";
      String end = "-----END PRIVATE KEY-----";
      int b = text.indexOf(begin);
      int e = text.indexOf(end);
      if (b < 0 || e < b) {
        String hint =
            text.contains("ENCRYPTED PRIVATE KEY")
                    || text.contains("RSA PRIVATE KEY")
                    || text.contains("EC PRIVATE KEY")
                ? " (convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)"
                : "";
        throw bad(file, "private key is not an unencrypted PKCS#8 PEM key" + hint, null);
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
      } catch (IllegalArgumentException ex) {
        throw bad(file, "private key is not valid base64", ex);
      }
      PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
      for (String alg : new String[] {"EC", "RSA", "Ed25519", "RSASSA-PSS", "Ed448"}) {
        try {
          return KeyFactory.getInstance(alg).generatePrivate(spec);
        } catch (GeneralSecurityException ignored) {
          // try the next algorithm
        }
      }
      Arrays.fill(der, (byte) 0);
      throw bad(file, "private key is not an RSA, EC or EdDSA PKCS#8 key", null);
    }

    private static byte[] read(Path file, String what) {
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw bad(file, "cannot read the " + what + ": " + e, e);
      }
    }

    private static IllegalArgumentException bad(
        Path file, String message, @Nullable Throwable cause) {
      return new IllegalArgumentException("TLS: " + file + ": " + message, cause);
    }
  }
}
