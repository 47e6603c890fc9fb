package io.libgossip.agent.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gossip query NAME [PAYLOAD]}: asks the cluster and prints the answers as they come. */
@Command(
    name = "query",
    usageHelpWidth = 100,
    sortOptions = false,
    header = "Query the cluster and print the responses as they arrive",
    description = {
      "",
      "Sends a query named NAME with the UTF-8 PAYLOAD to the cluster (or to the members chosen",
      "by --member and --meta) and prints each acknowledgement and response as it arrives, then",
      "a summary. It ends when every targeted live member answered, or at the timeout.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./gossip query uptime",
      "  ./gossip query version '' --meta role=web --timeout 2s --ack",
      "",
      OperatorCli.EXIT_CODES
    })
final class QueryCommand extends AgentCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "the query's name")
  String name = "";

  @Parameters(index = "1", arity = "0..1", paramLabel = "PAYLOAD", description = "its text")
  @Nullable String payload;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = Durations.Converter.class,
      description = "how long to wait for answers, e.g. 500ms, 5s (default: the agent's, 5s)")
  @Nullable Duration timeout;

  @Option(names = "--member", paramLabel = "ID", description = "ask only this member (repeatable)")
  List<String> members = new ArrayList<>();

  @Option(
      names = "--meta",
      paramLabel = "KEY=REGEX",
      description = "ask only members whose metadata KEY fully matches REGEX (repeatable)")
  Map<String, String> meta = new LinkedHashMap<>();

  @Option(names = "--ack", description = "ask members to acknowledge receipt, too")
  boolean ack;

  QueryCommand(OperatorCli cli) {
    super(cli);
  }

  @Override
  public Integer call() {
    if (name.isEmpty()) {
      throw usage("NAME must not be empty");
    }
    ObjectNode body = cli.object();
    body.put("name", name);
    body.put("payload", payload == null ? "" : payload);
    Duration t = timeout;
    if (t != null) {
      body.put("timeout_ms", t.toMillis());
    }
    if (!members.isEmpty()) {
      ArrayNode ids = body.putArray("members");
      members.forEach(ids::add);
    }
    if (!meta.isEmpty()) {
      ObjectNode m = body.putObject("meta");
      meta.forEach(m::put);
    }
    if (ack) {
      body.put("ack", true);
    }
    AgentClient c = client();
    Duration wait = (t == null ? Duration.ofSeconds(5) : t).plus(AgentClient.REQUEST_TIMEOUT);
    InputStream in = cli.track(c.stream("POST", "/v1/query", body, wait));
    if (!json) {
      cli.out().println("query '" + Text.safe(name) + "' sent");
      cli.out().flush();
    }
    int acks = 0;
    int responses = 0;
    JsonNode done = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while (done == null && (line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = cli.json().readTree(line);
        } catch (JacksonException e) {
          throw new CliException(
              "the agent at "
                  + c.base()
                  + " sent a query line that is not JSON: "
                  + Text.safe(Text.abbreviate(line, 100)));
        }
        if (json) {
          cli.out().println(n.toString());
          cli.out().flush();
        }
        String type = n.path("type").asText();
        switch (type) {
          case "ack" -> {
            acks++;
            if (!json) {
              cli.out().println("ack from " + Text.safe(n.path("from").asText()));
            }
          }
          case "response" -> {
            responses++;
            if (!json) {
              cli.out()
                  .println(
                      "response from "
                          + Text.safe(n.path("from").asText())
                          + ": "
                          + Payloads.display(n));
            }
          }
          case "done" -> done = n;
          default -> {
            // a line type this CLI does not know: skipped (--json shows it)
          }
        }
        cli.out().flush();
      }
    } catch (IOException e) {
      if (cli.closed()) {
        return 0;
      }
      throw c.unreachable(e);
    } finally {
      cli.untrack(in);
    }
    if (done == null) {
      if (cli.closed()) {
        return 0;
      }
      throw new CliException(
          "the agent at " + c.base() + " ended the query stream before the query finished");
    }
    if (!json) {
      List<String> lines = new ArrayList<>();
      lines.add("total acks: " + acks);
      lines.add(
          "total responses: " + responses + " of " + done.path("targeted").size() + " targeted");
      if (!done.path("departed").isEmpty()) {
        lines.add("departed before answering: " + ids(done.path("departed")));
      }
      if (done.path("timed_out").asBoolean(false)) {
        lines.add("timed out; no answer from: " + missing(done));
      }
      cli.print(lines);
    }
    return 0;
  }

  private static String ids(JsonNode array) {
    List<String> ids = new ArrayList<>();
    array.forEach(n -> ids.add(Text.safe(n.asText())));
    return String.join(", ", ids);
  }

  /** The targeted members that neither responded nor departed. */
  private static String missing(JsonNode done) {
    List<String> ids = new ArrayList<>();
    Set<String> answered = new HashSet<>();
    done.path("responded").forEach(n -> answered.add(n.asText()));
    done.path("departed").forEach(n -> answered.add(n.asText()));
    done.path("targeted")
        .forEach(
            n -> {
              if (!answered.contains(n.asText())) {
                ids.add(Text.safe(n.asText()));
              }
            });
    return ids.isEmpty() ? "(none)" : String.join(", ", ids);
  }
}
