package io.libgossip.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gossip meta set | get | delete}: the agent's own metadata. */
@Command(
    name = "meta",
    usageHelpWidth = 100,
    synopsisSubcommandLabel = "(set | get | delete)",
    header = "Read or change the agent's own metadata",
    description = {
      "",
      "Reads or changes the agent's own metadata; changes spread to the whole cluster.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./gossip meta set role=web zone=eu-1",
      "  ./gossip meta get",
      "  ./gossip meta get role",
      "  ./gossip meta delete zone",
      "",
      OperatorCli.EXIT_CODES
    })
final class MetaCommand extends Base {
  MetaCommand(OperatorCli cli) {
    super(cli);
  }

  @Override
  public Integer call() {
    throw missingCommand("set, get, delete");
  }

  /** {@code gossip meta set KEY=VALUE...}. */
  @Command(
      name = "set",
      usageHelpWidth = 100,
      header = "Set keys of the agent's metadata",
      description = {"", "Sets (adds or replaces) keys of the agent's metadata.", ""},
      footer = {"", OperatorCli.EXIT_CODES})
  static final class SetKeys extends AgentCommand {
    @Parameters(paramLabel = "KEY=VALUE", arity = "1..*", description = "the keys to set")
    List<String> pairs = new ArrayList<>();

    SetKeys(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      ObjectNode metadata = cli.object();
      for (String p : pairs) {
        int eq = p.indexOf('=');
        if (eq <= 0) {
          throw usage("expected KEY=VALUE with a non-empty KEY, got '" + p + "'");
        }
        metadata.put(p.substring(0, eq), p.substring(eq + 1));
      }
      ObjectNode body = cli.object();
      body.set("metadata", metadata);
      JsonNode self = client().call("PUT", "/v1/metadata", body);
      if (json) {
        cli.printJson(self);
      } else {
        cli.out()
            .println(
                "metadata of "
                    + Text.safe(self.path("id").asText())
                    + ": "
                    + MembersCommand.metadata(self.path("metadata")));
        cli.out().flush();
      }
      return 0;
    }
  }

  /** {@code gossip meta get [KEY]}. */
  @Command(
      name = "get",
      usageHelpWidth = 100,
      header = "Print the agent's metadata, or one key's value",
      description = {
        "",
        "Prints the agent's metadata as a KEY VALUE table, or the value of KEY alone.",
        "A KEY the agent does not have is an error (exit 1).",
        ""
      },
      footer = {"", OperatorCli.EXIT_CODES})
  static final class GetKeys extends AgentCommand {
    @Parameters(paramLabel = "KEY", arity = "0..1", description = "print this key's value only")
    @Nullable String key;

    GetKeys(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      AgentClient c = client();
      JsonNode answer = c.get("/v1/metadata");
      JsonNode metadata = answer.path("metadata");
      String k = key;
      if (k != null) {
        JsonNode v = metadata.get(k);
        if (v == null) {
          throw new CliException(
              "the agent at " + c.base() + " has no metadata key '" + Text.safe(k) + "'");
        }
        if (json) {
          cli.printJson(v);
        } else {
          cli.out().println(Text.safe(v.asText()));
          cli.out().flush();
        }
        return 0;
      }
      if (json) {
        cli.printJson(answer);
        return 0;
      }
      Map<String, String> sorted = new TreeMap<>();
      metadata.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("KEY", "VALUE"));
      sorted.forEach((name, value) -> rows.add(List.of(Text.safe(name), Text.safe(value))));
      cli.print(Text.table(rows));
      return 0;
    }
  }

  /** {@code gossip meta delete KEY}. */
  @Command(
      name = "delete",
      usageHelpWidth = 100,
      header = "Delete a key of the agent's metadata",
      description = {"", "Deletes a key of the agent's metadata; an absent KEY is an error.", ""},
      footer = {"", OperatorCli.EXIT_CODES})
  static final class DeleteKey extends AgentCommand {
    @Parameters(paramLabel = "KEY", description = "the key to delete")
    String key = "";

    DeleteKey(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      if (key.isEmpty()) {
        throw usage("KEY must not be empty");
      }
      JsonNode self = client().call("DELETE", "/v1/metadata/" + AgentClient.encode(key), null);
      if (json) {
        cli.printJson(self);
      } else {
        cli.out()
            .println(
                "deleted "
                    + Text.safe(key)
                    + " from "
                    + Text.safe(self.path("id").asText())
                    + "; metadata: "
                    + MembersCommand.metadata(self.path("metadata")));
        cli.out().flush();
      }
      return 0;
    }
  }
}
