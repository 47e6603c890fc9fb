package io.libgossip.agent.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gossip monitor}: follows the agent's event stream, one line per event. */
@Command(
    name = "monitor",
    usageHelpWidth = 100,
    sortOptions = false,
    header = "Follow the agent's events, one line each",
    description = {
      "",
      "Follows the agent's events until Ctrl-C: one line per event, TIME TYPE and the details.",
      "It starts with a snapshot line (the members the agent knows), then member events",
      "(joined, suspected, failed, recovered, left, metadata-changed, ...), user events",
      "(broadcast, message) and queries. --json prints each event's JSON on one line.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./gossip monitor",
      "  ./gossip monitor --types member",
      "  ./gossip monitor --types user --count 1 --json",
      "",
      OperatorCli.EXIT_CODES
    })
final class MonitorCommand extends AgentCommand {
  private static final Pattern TYPES =
      Pattern.compile("(member|user|query)(,(member|user|query))*");
  private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);

  /** Up to this many members, the snapshot line lists each; above, it counts them by status. */
  static final int SNAPSHOT_LISTED = 20;

  @Option(
      names = "--types",
      paramLabel = "TYPE[,TYPE...]",
      description = "only these groups: member, user (broadcast, message), query (default: all)")
  @Nullable String types;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "exit after N events (the snapshot is not counted)")
  int count;

  private int seen;

  MonitorCommand(OperatorCli cli) {
    super(cli);
  }

  @Override
  public Integer call() {
    String path = "/v1/events";
    String t = types;
    if (t != null) {
      String normalized = t.replace(" ", "").toLowerCase(Locale.ROOT);
      if (!TYPES.matcher(normalized).matches()) {
        throw usage("--types: expected member, user or query (comma-separated), got '" + t + "'");
      }
      path += "?types=" + AgentClient.encode(normalized);
    }
    if (count < 0) {
      throw usage("--count: expected a positive number, got " + count);
    }
    AgentClient c = client();
    while (true) {
      if (cli.closed()) {
        return 0;
      }
      Outcome o = follow(c, path);
      switch (o) {
        case STOPPED -> {
          return 0;
        }
        case OVERFLOW -> {
          if (!json) {
            cli.out().println(now() + "  overflow  this monitor fell behind; reconnecting");
            cli.out().flush();
          }
        }
        case ENDED -> {
          if (cli.closed()) {
            return 0;
          }
          throw new CliException("the agent at " + c.base() + " ended the event stream");
        }
      }
    }
  }

  private enum Outcome {
    STOPPED,
    OVERFLOW,
    ENDED
  }

  private Outcome follow(AgentClient c, String path) {
    InputStream in;
    try {
      in = cli.track(c.stream("GET", path, null, HEADER_TIMEOUT));
    } catch (CliException e) {
      if (cli.closed()) {
        return Outcome.STOPPED;
      }
      throw e;
    }
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String event = "message";
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            if (event.equals("overflow")) {
              return Outcome.OVERFLOW;
            }
            if (dispatch(c, event, data.toString())) {
              return Outcome.STOPPED;
            }
          } else if (event.equals("overflow")) {
            return Outcome.OVERFLOW;
          }
          event = "message";
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) { // (lines starting with ':' are keepalives)
          if (data.length() > 0) {
            data.append('\n');
          }
          String d = line.substring(5);
          data.append(d.startsWith(" ") ? d.substring(1) : d);
        }
      }
      return cli.closed() ? Outcome.STOPPED : Outcome.ENDED;
    } catch (IOException e) {
      if (cli.closed()) {
        return Outcome.STOPPED;
      }
      throw c.unreachable(e);
    } finally {
      cli.untrack(in);
    }
  }

  /** Prints one event; true when --count is reached. */
  private boolean dispatch(AgentClient c, String event, String data) {
    JsonNode n;
    try {
      n = cli.json().readTree(data);
    } catch (JacksonException e) {
      throw new CliException(
          "the agent at "
              + c.base()
              + " sent an event that is not JSON: "
              + Text.safe(Text.abbreviate(data, 100)));
    }
    if (json) {
      if (n instanceof ObjectNode o && !o.has("type")) {
        ObjectNode typed = cli.object();
        typed.put("type", event);
        typed.setAll(o);
        n = typed;
      }
      cli.out().println(n.toString());
    } else {
      cli.out().println(line(event, n));
    }
    cli.out().flush();
    if (event.equals("snapshot")) {
      return false;
    }
    seen++;
    return count > 0 && seen >= count;
  }

  /** The text line of one event. */
  static String line(String event, JsonNode n) {
    JsonNode time = n.path("time_ms");
    String when =
        time.canConvertToLong()
            ? Instant.ofEpochMilli(time.asLong()).truncatedTo(ChronoUnit.MILLIS).toString()
            : now();
    StringBuilder b = new StringBuilder(when).append("  ").append(Text.safe(event)).append("  ");
    switch (event) {
      case "snapshot" -> {
        b.append("self=")
            .append(Text.safe(n.path("self").path("id").asText()))
            .append(" members=")
            .append(n.path("members").size());
        if (n.path("members").size() <= SNAPSHOT_LISTED) {
          for (JsonNode m : n.path("members")) {
            b.append(' ')
                .append(Text.safe(m.path("id").asText()))
                .append(':')
                .append(Text.safe(m.path("status").asText()));
          }
        } else {
          Map<String, Integer> byStatus = new TreeMap<>();
          n.path("members")
              .forEach(m -> byStatus.merge(m.path("status").asText(), 1, Integer::sum));
          byStatus.forEach((s, c) -> b.append(' ').append(Text.safe(s)).append('=').append(c));
        }
      }
      case "broadcast" -> {
        b.append("from=").append(Text.safe(n.path("from").asText()));
        b.append(" topic=").append(Text.safe(n.path("topic").asText()));
        if (n.path("key").isTextual()) {
          b.append(" key=").append(Text.safe(n.path("key").asText()));
        }
        b.append(" seq=").append(n.path("seq").asText());
        b.append(" payload=").append(Payloads.display(n));
      }
      case "message" -> {
        b.append("from=").append(Text.safe(n.path("from").asText()));
        b.append(" topic=").append(Text.safe(n.path("topic").asText()));
        b.append(" payload=").append(Payloads.display(n));
      }
      case "query" -> {
        b.append("from=").append(Text.safe(n.path("from").asText()));
        b.append(" name=").append(Text.safe(n.path("name").asText()));
        b.append(" query=").append(Text.safe(n.path("query").asText()));
        b.append(" payload=").append(Payloads.display(n));
      }
      default -> {
        JsonNode m = n.path("member");
        if (m.isObject()) {
          b.append(Text.safe(m.path("id").asText()))
              .append(' ')
              .append(Text.safe(MembersCommand.address(m)))
              .append(' ')
              .append(Text.safe(m.path("status").asText()));
          String was = n.path("previous_status").asText("");
          if (!was.isEmpty() && !was.equals("UNKNOWN") && !was.equals(m.path("status").asText())) {
            b.append(" (was ").append(Text.safe(was)).append(')');
          }
          String meta = MembersCommand.metadata(m.path("metadata"));
          if (!meta.isEmpty()) {
            b.append(' ').append(meta);
          }
        } else {
          b.append(Text.safe(n.toString()));
        }
      }
    }
    return b.toString();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
