package io.libgossip.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gossip members}: the agent's view of the cluster, as a table. */
@Command(
    name = "members",
    usageHelpWidth = 100,
    sortOptions = false,
    header = "List the members and their status and metadata",
    description = {
      "",
      "Lists the members the agent knows (itself included), sorted by id: ID ADDRESS STATUS",
      "METADATA. STATUS is ONLINE, SUSPECT, FAILED or LEFT.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./gossip members",
      "  ./gossip members --status suspect,failed",
      "  ./gossip members --meta role=web --json",
      "",
      OperatorCli.EXIT_CODES
    })
final class MembersCommand extends AgentCommand {
  private static final Set<String> STATUSES = Set.of("ONLINE", "SUSPECT", "FAILED", "LEFT");

  @Option(
      names = "--status",
      paramLabel = "STATUS[,STATUS...]",
      description = "only members in these states (online, suspect, failed, left)")
  @Nullable String status;

  @Option(
      names = "--meta",
      paramLabel = "KEY=REGEX",
      description = "only members whose metadata KEY fully matches REGEX (repeatable)")
  Map<String, String> meta = new LinkedHashMap<>();

  MembersCommand(OperatorCli cli) {
    super(cli);
  }

  @Override
  public Integer call() {
    StringBuilder query = new StringBuilder();
    String s = status;
    if (s != null) {
      List<String> wanted = new ArrayList<>();
      for (String part : s.split(",", -1)) {
        String p = part.strip().toUpperCase(Locale.ROOT);
        if (!STATUSES.contains(p)) {
          throw usage(
              "--status: expected online, suspect, failed or left (comma-separated), got '"
                  + part.strip()
                  + "'");
        }
        wanted.add(p);
      }
      query.append("&status=").append(AgentClient.encode(String.join(",", wanted)));
    }
    for (Map.Entry<String, String> e : meta.entrySet()) {
      if (e.getKey().isEmpty()) {
        throw usage("--meta: expected KEY=REGEX with a non-empty KEY");
      }
      query
          .append("&meta.")
          .append(AgentClient.encode(e.getKey()))
          .append('=')
          .append(AgentClient.encode(e.getValue()));
    }
    String path = "/v1/members" + (query.length() == 0 ? "" : "?" + query.substring(1));
    JsonNode answer = client().get(path);
    if (json) {
      cli.printJson(answer);
      return 0;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("ID", "ADDRESS", "STATUS", "METADATA"));
    for (JsonNode m : answer.path("members")) {
      rows.add(
          List.of(
              Text.safe(m.path("id").asText()),
              Text.safe(address(m)),
              Text.safe(m.path("status").asText()),
              metadata(m.path("metadata"))));
    }
    cli.print(Text.table(rows));
    return 0;
  }

  /** A member's {@code address}, else {@code ip:port}. */
  static String address(JsonNode m) {
    if (m.path("address").isTextual()) {
      return m.path("address").asText();
    }
    return m.path("ip").asText() + ":" + m.path("port").asText();
  }

  /** Metadata as {@code k=v,k2=v2}, sorted by key and safe to print. */
  static String metadata(JsonNode metadata) {
    Map<String, String> sorted = new TreeMap<>();
    metadata.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(Text.safe(e.getKey())).append('=').append(Text.safe(e.getValue()));
    }
    return b.toString();
  }
}
