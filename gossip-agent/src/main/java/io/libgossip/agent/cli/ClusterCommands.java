package io.libgossip.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The one-call commands: {@code join}, {@code leave}, {@code force-leave} and {@code event}. */
final class ClusterCommands {
  private ClusterCommands() {}

  /** {@code gossip join HOST:PORT...}. */
  @Command(
      name = "join",
      usageHelpWidth = 100,
      header = "Join the cluster through members' gossip addresses",
      description = {
        "",
        "Makes the agent join the cluster through one or more members' gossip addresses.",
        ""
      },
      footer = {"", "Example:", "  ./gossip join 127.0.0.1:7947", "", OperatorCli.EXIT_CODES})
  static final class Join extends AgentCommand {
    @Parameters(paramLabel = "HOST:PORT", arity = "1..*", description = "members to join through")
    List<String> seeds = new ArrayList<>();

    Join(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      ArrayNode list = cli.json().createArrayNode();
      for (String s : seeds) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0
            || colon == s.length() - 1
            || !s.substring(colon + 1).matches("[0-9]{1,5}")) {
          throw usage("expected HOST:PORT, got '" + s + "'");
        }
        list.add(s);
      }
      ObjectNode body = cli.object();
      body.set("seeds", list);
      JsonNode answer = client().call("POST", "/v1/join", body);
      if (json) {
        cli.printJson(answer);
      } else {
        cli.out().println("joined the cluster through " + String.join(", ", seeds));
        cli.out().flush();
      }
      return 0;
    }
  }

  /** {@code gossip leave}. */
  @Command(
      name = "leave",
      usageHelpWidth = 100,
      header = "Leave the cluster gracefully; the agent then exits",
      description = {
        "",
        "Makes the agent leave the cluster gracefully (the others see it LEFT, not FAILED);",
        "the agent process then exits.",
        ""
      },
      footer = {"", OperatorCli.EXIT_CODES})
  static final class Leave extends AgentCommand {
    Leave(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      AgentClient c = client();
      JsonNode answer = c.call("POST", "/v1/leave", cli.object());
      if (json) {
        cli.printJson(answer);
      } else {
        cli.out().println("left the cluster; the agent at " + c.base() + " is stopping");
        cli.out().flush();
      }
      return 0;
    }
  }

  /** {@code gossip force-leave ID}. */
  @Command(
      name = "force-leave",
      usageHelpWidth = 100,
      header = "Mark a FAILED member LEFT across the cluster",
      description = {
        "",
        "Marks a FAILED member LEFT across the cluster, so that it is forgotten instead of",
        "being probed again. A member that is not FAILED is an error (exit 1).",
        ""
      },
      footer = {"", OperatorCli.EXIT_CODES})
  static final class ForceLeave extends AgentCommand {
    @Parameters(paramLabel = "ID", description = "the failed member's id")
    String id = "";

    ForceLeave(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      if (id.isEmpty()) {
        throw usage("ID must not be empty");
      }
      JsonNode answer =
          client().call("POST", "/v1/force-leave/" + AgentClient.encode(id), cli.object());
      if (json) {
        cli.printJson(answer);
      } else {
        cli.out()
            .println(
                Text.safe(answer.path("id").asText(id))
                    + " is now "
                    + Text.safe(answer.path("status").asText("LEFT")));
        cli.out().flush();
      }
      return 0;
    }
  }

  /** {@code gossip event NAME [PAYLOAD]}. */
  @Command(
      name = "event",
      usageHelpWidth = 100,
      header = "Broadcast a user event to every member",
      description = {
        "",
        "Broadcasts a user event to the whole cluster: a broadcast with topic NAME and the UTF-8",
        "PAYLOAD (empty when left out). With --key, a newer event with the same key replaces an",
        "older one that has not spread yet.",
        ""
      },
      footer = {"", "Example:", "  ./gossip event deploy v1.2.3", "", OperatorCli.EXIT_CODES})
  static final class Event extends AgentCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "the event's name (topic)")
    String name = "";

    @Parameters(index = "1", arity = "0..1", paramLabel = "PAYLOAD", description = "its text")
    @Nullable String payload;

    @Option(names = "--key", paramLabel = "KEY", description = "a newer event with KEY replaces")
    @Nullable String key;

    Event(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      if (name.isEmpty()) {
        throw usage("NAME must not be empty");
      }
      ObjectNode body = cli.object();
      body.put("topic", name);
      body.put("payload", payload == null ? "" : payload);
      if (key != null) {
        body.put("key", key);
      }
      JsonNode answer = client().call("POST", "/v1/broadcast", body);
      if (json) {
        cli.printJson(answer);
      } else {
        cli.out()
            .println(
                "event '"
                    + Text.safe(name)
                    + "' sent (seq "
                    + answer.path("seq").asText("?")
                    + ")");
        cli.out().flush();
      }
      return 0;
    }
  }
}
