package io.libgossip.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.libgossip.core.NodeAddress;
import io.libgossip.net.Keyring;
import io.libgossip.net.KeyringFile;
import io.libgossip.net.KeyringMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Cluster-wide keyring operations through {@code /v1/keys} on three agents. */
@Timeout(120)
class AgentKeysTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<Agent> agents = new ArrayList<>();
  @TempDir Path dir;

  @AfterEach
  void stop() {
    for (Agent a : agents) {
      a.close();
    }
  }

  private Agent start(String id, byte[] key, List<NodeAddress> join) throws IOException {
    Path file = dir.resolve(id + ".keys");
    KeyringFile.create(file, KeyringFile.format(List.of(key), KeyringMode.REQUIRED));
    Agent a = Agent.start(AgentApiTest.config(id).keyring(file).join(join).build());
    agents.add(a);
    return a;
  }

  @Test
  void installUseAndRemoveAKeyOnEveryAgent() throws IOException {
    byte[] k1 = Keyring.generateKey();
    byte[] k2 = Keyring.generateKey();
    String id1 = Keyring.keyId(k1);
    String id2 = Keyring.keyId(k2);
    Agent a = start("a", k1, List.of());
    start("b", k1, List.of(a.gossipAddress()));
    start("c", k1, List.of(a.gossipAddress()));
    Api api = new Api(a);
    await()
        .atMost(WAIT)
        .until(() -> api.get("/v1/members?status=online").json().get("members").size() == 3);

    JsonNode list = api.get("/v1/keys").json();
    assertThat(list.get("nodes").asInt()).isEqualTo(3);
    assertThat(list.get("responded").asInt()).isEqualTo(3);
    assertThat(list.get("primary").get(id1).asInt()).isEqualTo(3);

    String b2 = Keyring.encodeKey(k2);
    Api.Reply install = api.post("/v1/keys/install", "{\"key\":\"" + b2 + "\"}");
    assertThat(install.status()).as(install.body()).isEqualTo(200);
    assertThat(install.json().get("ok").asInt()).isEqualTo(3);
    assertThat(install.json().get("errors")).isEmpty();
    list = api.get("/v1/keys").json();
    assertThat(list.get("keys").get(id2).asInt()).isEqualTo(3);

    Api.Reply removePrimary =
        api.post("/v1/keys/remove", "{\"key\":\"" + Keyring.encodeKey(k1) + "\"}");
    assertThat(removePrimary.json().get("ok").asInt()).isZero();
    assertThat(removePrimary.json().get("errors").get("b").asText()).contains("primary");

    assertThat(api.post("/v1/keys/use", "{\"key\":\"" + b2 + "\"}").json().get("ok").asInt())
        .isEqualTo(3);
    Api.Reply remove = api.post("/v1/keys/remove", "{\"key\":\"" + Keyring.encodeKey(k1) + "\"}");
    assertThat(remove.json().get("ok").asInt()).as(remove.body()).isEqualTo(3);
    list = api.get("/v1/keys").json();
    assertThat(list.get("primary").get(id2).asInt()).isEqualTo(3);
    assertThat(list.get("keys").has(id1)).isFalse();

    // every agent saved its file: the new key alone
    for (String id : List.of("a", "b", "c")) {
      KeyringFile.Contents saved = KeyringFile.read(dir.resolve(id + ".keys"));
      assertThat(saved.keys()).hasSize(1);
      assertThat(Keyring.keyId(saved.keys().get(0))).isEqualTo(id2);
    }
    // and the cluster still talks, sealed with the new key
    assertThat(api.get("/v1/members?status=online").json().get("members")).hasSize(3);
    assertThat(api.post("/v1/keys/install", "{\"key\":\"short\"}").status()).isEqualTo(400);
  }

  @Test
  void anAgentWithoutAKeyringAnswersNoKeyring() {
    Agent a = Agent.start(AgentApiTest.config("a").build());
    agents.add(a);
    Api.Reply r = new Api(a).get("/v1/keys");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.json().get("code").asText()).isEqualTo("no_keyring");
  }
}
