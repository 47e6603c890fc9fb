package io.libgossip.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Certificates made at test time with the JDK's {@code keytool} (the same commands the security
 * guide gives users): a CA, and certificates it signs, by default with the id as subject
 * alternative name {@code gossip://<id>}; each as a PEM chain, a PKCS#8 PEM key and a PKCS#12
 * store. Nothing is committed; everything lands in the given directory.
 */
public final class TestCerts {
  /** The password of every PKCS#12 store made here. */
  public static final String PASSWORD = "changeit";

  /** The directory the files land in. */
  public final Path dir;

  /** The CA's name (the files' prefix). */
  public final String name;

  /** The CA's PKCS#12 store. */
  public final Path caStore;

  /** The CA's certificate (PEM). */
  public final Path caPem;

  private final java.util.Set<String> imported = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.Map<String, Node> made = new java.util.concurrent.ConcurrentHashMap<>();

  /** A new CA called {@code name} in {@code dir}. */
  public TestCerts(Path dir, String name) {
    this.dir = dir;
    this.name = name;
    this.caStore = dir.resolve(name + "-ca.p12");
    this.caPem = dir.resolve(name + "-ca.pem");
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + name + " gossip CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        caStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        caStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        caPem.toString());
  }

  /**
   * One certificate's files (see {@link #keyStore}).
   *
   * @param id the id it was made for
   * @param chainPem its chain, leaf first, the CA last (PEM)
   * @param keyPem its private key (PEM, unencrypted PKCS#8)
   * @param store its PKCS#12 store with the key
   */
  public record Node(String id, Path chainPem, Path keyPem, Path store) {}

  /** A certificate for {@code id}, signed by this CA (SAN {@code gossip://<id>}). */
  public Node node(String id) {
    return made.computeIfAbsent(id, i -> node(i, "uri:gossip://" + i));
  }

  /**
   * A certificate signed by this CA with the given subject alternative names in keytool's syntax
   * (e.g. {@code ip:127.0.0.1,uri:gossip://a}; {@code null}: none).
   */
  public Node node(String id, @Nullable String san) {
    String base = name + "-" + id;
    Path store = dir.resolve(base + ".p12");
    Path csr = dir.resolve(base + ".csr");
    Path crt = dir.resolve(base + ".crt");
    keytool(
        "-genkeypair",
        "-alias",
        "node",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + id,
        "-validity",
        "2",
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        "-certreq",
        "-alias",
        "node",
        "-keystore",
        store.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        csr.toString());
    List<String> gencert =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                caStore.toString(),
                "-storepass",
                PASSWORD,
                "-infile",
                csr.toString(),
                "-outfile",
                crt.toString(),
                "-rfc",
                "-validity",
                "2"));
    if (san != null) {
      gencert.addAll(List.of("-ext", "SAN=" + san));
    }
    keytool(gencert.toArray(new String[0]));
    try {
      Path chain = dir.resolve(base + "-chain.pem");
      Files.writeString(
          chain,
          Files.readString(crt, StandardCharsets.US_ASCII)
              + Files.readString(caPem, StandardCharsets.US_ASCII));
      Path key = dir.resolve(base + "-key.pem");
      Files.writeString(key, pkcs8Pem(store));
      return new Node(id, chain, key, store);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code node}'s PKCS#12 store (password {@link #PASSWORD}) with its signed chain imported, as
   * keytool users make it: the CA first, so that keytool accepts the reply.
   */
  public Path keyStore(Node node) {
    if (imported.add(node.id())) {
      keytool(
          "-importcert",
          "-noprompt",
          "-alias",
          "ca",
          "-file",
          caPem.toString(),
          "-keystore",
          node.store().toString(),
          "-storepass",
          PASSWORD);
      keytool(
          "-importcert",
          "-alias",
          "node",
          "-file",
          node.chainPem().toString(),
          "-keystore",
          node.store().toString(),
          "-storepass",
          PASSWORD);
    }
    return node.store();
  }

  private static String pkcs8Pem(Path store) throws IOException {
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      Key key = ks.getKey("node", PASSWORD.toCharArray());
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  /** Runs the JDK's keytool with {@code args}; throws with its output when it fails. */
  public static void keytool(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "keytool failed: " + cmd + "\n" + new String(out, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run keytool: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
