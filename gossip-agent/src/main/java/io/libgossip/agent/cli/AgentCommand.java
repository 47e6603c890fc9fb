package io.libgossip.agent.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** A command that calls the agent: {@code --http}, {@code --token} and {@code --json}. */
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
    if (t == null || t.isEmpty()) {
      t = cli.env().get(OperatorCli.ENV_TOKEN);
    }
    if (t != null && (t.isBlank() || t.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
      throw usage("the token must be printable ASCII without spaces");
    }
    return new AgentClient(url, t == null || t.isEmpty() ? null : t, cli.json());
  }
}
