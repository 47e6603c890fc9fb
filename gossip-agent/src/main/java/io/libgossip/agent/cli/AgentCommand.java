package io.libgossip.agent.cli;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * A command that calls the agent: {@code --http}, {@code --token}/{@code --token-file}, the HTTPS
 * files {@code --ca-file}/{@code --client-cert}/{@code --client-key}, and {@code --json}.
 */
abstract class AgentCommand extends Base {
  @Option(
      names = "--http",
      paramLabel = "URL",
      description = "the agent's API (default: $GOSSIP_HTTP_ADDR, else 127.0.0.1:8946)")
  @Nullable String http;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "the agent's bearer token (default: $GOSSIP_HTTP_TOKEN)")
  @Nullable String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "read the bearer token from FILE's first line (default: $GOSSIP_HTTP_TOKEN_FILE)")
  @Nullable String tokenFile;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description =
          "HTTPS: CA certificates (PEM) the agent's certificate must chain to (default:"
              + " $GOSSIP_HTTP_CA, else the JDK's trusted CAs)")
  @Nullable String caFile;

  @Option(
      names = "--client-cert",
      paramLabel = "FILE",
      description =
          "HTTPS: client certificate chain (PEM) for an agent that requires one (default:"
              + " $GOSSIP_HTTP_CLIENT_CERT); needs --client-key")
  @Nullable String clientCert;

  @Option(
      names = "--client-key",
      paramLabel = "FILE",
      description =
          "HTTPS: the client certificate's private key (PEM, PKCS#8; default: $GOSSIP_HTTP_CLIENT_KEY)")
  @Nullable String clientKey;

  @Option(names = "--json", description = "print the API's JSON instead of text")
  boolean json;

  AgentCommand(OperatorCli cli) {
    super(cli);
  }

  /** A client of the agent named by {@code --http}, the environment or the default. */
  final AgentClient client() {
    String source = "--http";
    String url = http;
    if (url == null || url.isBlank()) {
      url = cli.env().get(OperatorCli.ENV_ADDR);
      source = OperatorCli.ENV_ADDR;
    }
    if (url == null || url.isBlank()) {
      url = OperatorCli.DEFAULT_ADDR;
    }
    url = url.strip();
    if (!url.contains("://")) {
      url = "http://" + url;
    }
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https"))
          || u.getHost() == null
          || u.getQuery() != null
          || u.getFragment() != null) {
        throw new URISyntaxException(url, "not an http(s)://HOST:PORT URL");
      }
    } catch (URISyntaxException e) {
      throw usage(
          source + ": expected the agent's URL such as http://127.0.0.1:8946, got '" + url + "'");
    }
    String t = token;
    if ((t == null || t.isEmpty()) && tokenFile != null) {
      t = tokenFrom("--token-file", tokenFile);
    }
    if (t == null || t.isEmpty()) {
      t = cli.env().get(OperatorCli.ENV_TOKEN);
    }
    if (t == null || t.isEmpty()) {
      String f = cli.env().get(OperatorCli.ENV_TOKEN_FILE);
      if (f != null && !f.isBlank()) {
        t = tokenFrom(OperatorCli.ENV_TOKEN_FILE, f);
      }
    }
    if (t != null && (t.isBlank() || t.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
      throw usage("the token must be printable ASCII without spaces");
    }
    SSLContext tls = tls();
    if (tls != null && !url.regionMatches(true, 0, "https://", 0, 8)) {
      throw usage(
          "--ca-file, --client-cert and --client-key are for an https:// agent URL, got '"
              + url
              + "'");
    }
    return new AgentClient(url, t == null || t.isEmpty() ? null : t, tls, cli.json());
  }

  private String tokenFrom(String source, String file) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
      String t = lines.isEmpty() ? "" : lines.get(0).strip();
      if (t.isEmpty()) {
        throw usage(source + ": the first line of '" + file + "' is empty");
      }
      return t;
    } catch (IOException | InvalidPathException e) {
      throw usage(source + ": cannot read '" + file + "'");
    }
  }

  /**
   * The TLS settings of {@code --ca-file/--client-cert/--client-key} or the environment, or null
   * for the JDK's.
   */
  private @Nullable SSLContext tls() {
    String ca = orEnv(caFile, OperatorCli.ENV_CA);
    String certFile = orEnv(clientCert, OperatorCli.ENV_CERT);
    String keyFile = orEnv(clientKey, OperatorCli.ENV_KEY);
    if (ca == null && certFile == null && keyFile == null) {
      return null;
    }
    if ((certFile == null) != (keyFile == null)) {
      throw usage("a client certificate needs both --client-cert and --client-key");
    }
    try {
      SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
      if (ca != null) {
        b.trustManager(readable("--ca-file", ca).toFile());
      }
      if (certFile != null && keyFile != null) {
        b.keyManager(
            readable("--client-cert", certFile).toFile(),
            readable("--client-key", keyFile).toFile());
      }
      return ((JdkSslContext) b.build()).context();
    } catch (SSLException | IllegalArgumentException e) {
      Throwable r = e;
      while (r.getCause() != null && r.getCause() != r) {
        r = r.getCause();
      }
      throw usage("cannot use the TLS files: " + r.getMessage());
    }
  }

  private @Nullable String orEnv(@Nullable String option, String env) {
    if (option != null && !option.isBlank()) {
      return option;
    }
    String v = cli.env().get(env);
    return v == null || v.isBlank() ? null : v;
  }

  private Path readable(String flag, String file) {
    Path p;
    try {
      p = Path.of(file);
    } catch (InvalidPathException e) {
      throw usage(flag + ": cannot read file '" + file + "'");
    }
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw usage(flag + ": cannot read file '" + file + "'");
    }
    return p;
  }
}
