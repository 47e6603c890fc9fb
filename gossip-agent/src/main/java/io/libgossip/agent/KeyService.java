package io.libgossip.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.net.GossipNode;
import io.libgossip.net.Keyring;
import io.libgossip.net.KeyringFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide keyring operations, like {@code serf keys}: the initiating agent sends the internal
 * query {@value #NAME} with {@code {"op":…,"key":…}}; every agent (the initiator included) applies
 * the operation to its own keyring, saves its keyring file when it has one, and answers {@code
 * {"ok":true,"primary":ID,"keys":[ID…]}} or {@code {"ok":false,"error":…}}. The initiator adds the
 * answers up.
 */
final class KeyService {
  private static final Logger log = LoggerFactory.getLogger(KeyService.class);

  /** Query names with this prefix are the agents' own, never shown to clients. */
  static final String PREFIX = "_agent.";

  /** The keyring query's name. */
  static final String NAME = "_agent.keys";

  private final Agent agent;
  private volatile @Nullable GossipNode node;

  KeyService(Agent agent) {
    this.agent = agent;
  }

  void attach(GossipNode n) {
    node = n;
  }

  /** This agent's answer to an internal query (null for an unknown one). */
  @Nullable CompletableFuture<byte[]> answer(QueryRequest q) {
    if (!q.name().equals(NAME)) {
      return null;
    }
    return CompletableFuture.completedFuture(Json.bytes(apply(q.payload())));
  }

  private ObjectNode apply(byte[] request) {
    ObjectNode out = Json.object();
    GossipNode n = node;
    Optional<Keyring> ring = n == null ? Optional.empty() : n.keyring();
    if (ring.isEmpty()) {
      return fail(out, "this agent runs without a keyring");
    }
    Keyring k = ring.get();
    String op;
    String keyText;
    try {
      JsonNode req = Json.mapper().readTree(request);
      op = req.path("op").asText("");
      keyText = req.path("key").asText("");
    } catch (IOException e) {
      return fail(out, "malformed keyring request");
    }
    try {
      boolean changed = false;
      switch (op) {
        case "list":
          break;
        case "install":
          changed = k.install(Keyring.decodeKey(keyText));
          break;
        case "use":
          byte[] key = Keyring.decodeKey(keyText);
          changed = !Keyring.keyId(key).equals(k.primaryKeyId());
          k.use(key);
          break;
        case "remove":
          changed = k.remove(Keyring.decodeKey(keyText));
          break;
        default:
          return fail(out, "unknown keyring operation '" + op + "'");
      }
      if (changed) {
        save(k);
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      return fail(out, String.valueOf(e.getMessage()));
    } catch (IOException e) {
      return fail(out, "the key was applied but the keyring file was not saved: " + e.getMessage());
    }
    out.put("ok", true);
    out.put("primary", k.primaryKeyId());
    out.set("keys", Json.sortedStrings(k.keyIds()));
    return out;
  }

  private void save(Keyring k) throws IOException {
    Path file = agent.config.keyring();
    if (file != null) {
      Agent.writeAtomically(file, KeyringFile.format(k.keys(), k.mode()));
      log.atInfo()
          .setMessage("keyring file saved")
          .addKeyValue("file", file)
          .addKeyValue("primary", k.primaryKeyId())
          .log();
    }
  }

  private static ObjectNode fail(ObjectNode out, String message) {
    out.put("ok", false);
    out.put("error", message);
    return out;
  }

  /**
   * Runs {@code op} ("list", "install", "use" or "remove") on every live member; completes with the
   * response object of the API.
   *
   * @throws ApiException 409 {@code no_keyring} when this agent has no keyring; 400 for a bad key
   */
  CompletableFuture<ObjectNode> run(String op, @Nullable String keyBase64) {
    GossipNode n = agent.node;
    if (n.keyring().isEmpty()) {
      throw ApiException.conflict(
          "no_keyring",
          "this agent runs without a keyring: start it with --keyring FILE (./gossip keygen --out"
              + " FILE makes one)");
    }
    ObjectNode req = Json.object();
    req.put("op", op);
    if (keyBase64 != null) {
      try {
        Keyring.decodeKey(keyBase64);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("field 'key': " + e.getMessage());
      }
      req.put("key", keyBase64);
    }
    Map<String, JsonNode> answers = new ConcurrentHashMap<>();
    CompletableFuture<QueryResult> result =
        n.query(
            NAME,
            Json.bytes(req),
            QueryOptions.builder().timeout(n.config().queryTimeout()).build(),
            (QueryResponse r) -> {
              if (!r.ack()) {
                try {
                  answers.put(r.from(), Json.mapper().readTree(r.payload()));
                } catch (IOException e) {
                  answers.put(r.from(), fail(Json.object(), "malformed answer"));
                }
              }
            });
    return result.thenApply(res -> aggregate(op, res, answers));
  }

  private static ObjectNode aggregate(String op, QueryResult res, Map<String, JsonNode> answers) {
    ObjectNode out = Json.object();
    out.put("nodes", res.targeted().size());
    Map<String, String> errors = new TreeMap<>();
    Map<String, Integer> primary = new TreeMap<>();
    Map<String, Integer> keys = new TreeMap<>();
    int ok = 0;
    for (String id : res.targeted()) {
      JsonNode a = answers.get(id);
      if (a == null) {
        errors.put(
            id, res.departed().contains(id) ? "left or failed before answering" : "no answer");
      } else if (!a.path("ok").asBoolean(false)) {
        errors.put(id, a.path("error").asText("failed"));
      } else {
        ok++;
        primary.merge(a.path("primary").asText(""), 1, Integer::sum);
        for (JsonNode k : a.path("keys")) {
          keys.merge(k.asText(), 1, Integer::sum);
        }
      }
    }
    if (op.equals("list")) {
      out.put("responded", answers.size());
      ObjectNode p = out.putObject("primary");
      primary.forEach(p::put);
      ObjectNode k = out.putObject("keys");
      keys.forEach(k::put);
    } else {
      out.put("ok", ok);
    }
    ObjectNode e = out.putObject("errors");
    errors.forEach(e::put);
    return out;
  }

  static String opName(String path) {
    return path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
  }
}
