package io.libgossip.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gossip keys list | install | use | remove}: the cluster's keyrings, like serf keys. */
@Command(
    name = "keys",
    usageHelpWidth = 100,
    synopsisSubcommandLabel = "(list | install | use | remove)",
    header = "List or change the cluster's encryption keys",
    description = {
      "",
      "Lists or changes the encryption keys of every member's keyring, cluster-wide (agents",
      "started with --keyring). Rotate a key: install the new one, use it (it becomes primary",
      "everywhere), then remove the old one. KEY is 32 bytes in base64 (./gossip keygen).",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./gossip keys list",
      "  ./gossip keys install \"$(./gossip keygen)\"",
      "",
      "Exit status: 0 ok, 1 the agent answered an error, cannot be reached or some member",
      "failed (listed on stderr), 2 usage error."
    })
final class KeysCommand extends Base {
  KeysCommand(OperatorCli cli) {
    super(cli);
  }

  @Override
  public Integer call() {
    throw missingCommand("list, install, use, remove");
  }

  /** Prints each member's error on stderr; 1 if there is any. */
  static int errors(OperatorCli cli, JsonNode answer) {
    Map<String, String> errors = new TreeMap<>();
    answer.path("errors").properties().forEach(e -> errors.put(e.getKey(), e.getValue().asText()));
    errors.forEach(
        (id, message) -> cli.err().println("gossip: " + Text.safe(id) + ": " + Text.safe(message)));
    cli.err().flush();
    return errors.isEmpty() ? 0 : 1;
  }

  /** {@code gossip keys list}. */
  @Command(
      name = "list",
      usageHelpWidth = 100,
      header = "List the keys installed across the cluster",
      description = {
        "",
        "Lists the keys installed across the cluster: KEY (its id), PRIMARY (members using it",
        "to encrypt) and INSTALLED (members holding it), out of the members that responded.",
        ""
      },
      footer = {"", "Exit status: 0 ok, 1 an error (or some member failed), 2 usage error."})
  static final class ListKeys extends AgentCommand {
    ListKeys(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      JsonNode answer = client().get("/v1/keys");
      if (json) {
        cli.printJson(answer);
        return errors(cli, answer);
      }
      int responded = answer.path("responded").asInt();
      Map<String, Integer> installed = new TreeMap<>();
      answer
          .path("keys")
          .properties()
          .forEach(e -> installed.put(e.getKey(), e.getValue().asInt()));
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("KEY", "PRIMARY", "INSTALLED"));
      installed.forEach(
          (id, n) ->
              rows.add(
                  List.of(
                      Text.safe(id),
                      answer.path("primary").path(id).asInt(0) + "/" + responded,
                      n + "/" + responded)));
      List<String> lines = new ArrayList<>();
      lines.add(answer.path("nodes").asInt() + " members, " + responded + " responded");
      lines.addAll(Text.table(rows));
      cli.print(lines);
      return errors(cli, answer);
    }
  }

  /** {@code gossip keys install | use | remove KEY}. */
  @Command(
      usageHelpWidth = 100,
      footer = {"", OperatorCli.EXIT_CODES})
  static final class Change extends AgentCommand {
    private final String action;

    @Parameters(paramLabel = "KEY", description = "the key: 32 bytes in base64")
    String key = "";

    Change(OperatorCli cli, String action) {
      super(cli);
      this.action = action;
    }

    /** The command line of {@code keys ACTION}. */
    static CommandLine of(OperatorCli cli, String action) {
      CommandLine cl = new CommandLine(new Change(cli, action));
      String what =
          switch (action) {
            case "install" -> "Install KEY in every member's keyring (not yet used to encrypt).";
            case "use" ->
                "Make KEY, already installed everywhere, the primary key of every member.";
            default -> "Remove KEY from every member's keyring (it must not be primary).";
          };
      cl.getCommandSpec().usageMessage().header(what.substring(0, what.length() - 1));
      return cl;
    }

    @Override
    public Integer call() {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(key.strip());
      } catch (IllegalArgumentException e) {
        throw usage(
            "KEY: expected 32 bytes in base64 (./gossip keygen makes one): " + e.getMessage());
      }
      if (bytes.length != 32) {
        throw usage("KEY: expected 32 bytes in base64, got " + bytes.length + " bytes");
      }
      ObjectNode body = cli.object();
      body.put("key", key.strip());
      JsonNode answer = client().call("POST", "/v1/keys/" + action, body);
      if (json) {
        cli.printJson(answer);
      } else {
        String verb =
            switch (action) {
              case "install" -> "installed";
              case "use" -> "made primary";
              default -> "removed";
            };
        cli.out()
            .println(
                verb
                    + " on "
                    + answer.path("ok").asInt()
                    + " of "
                    + answer.path("nodes").asInt()
                    + " members");
        cli.out().flush();
      }
      return errors(cli, answer);
    }
  }
}
