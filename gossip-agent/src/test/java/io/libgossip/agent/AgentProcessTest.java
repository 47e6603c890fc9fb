package io.libgossip.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent as a process: the ready line and file, and SIGTERM leaving with exit status 0. */
@Timeout(120)
class AgentProcessTest {
  @TempDir Path dir;

  @Test
  void sigtermLeavesTheClusterAndExitsZero() throws Exception {
    Agent a = Agent.start(AgentApiTest.config("a").build());
    Process p = null;
    try {
      Path ready = dir.resolve("b.json");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      p =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                  AgentMain.class.getName(),
                  "--bind",
                  "127.0.0.1:0",
                  "--http",
                  "127.0.0.1:0",
                  "--id",
                  "b",
                  "--profile",
                  "local",
                  "--join",
                  a.gossipAddress().toString(),
                  "--retry-join", // a busy host can starve a fresh JVM past one join timeout
                  "--ready-file",
                  ready.toString())
              .redirectError(dir.resolve("b.err").toFile())
              .start();
      String line;
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        line = out.readLine();
      }
      assertThat(line)
          .startsWith("agent ready id=b gossip=127.0.0.1:")
          .contains(" http=http://127.0.0.1:");
      JsonNode info = Api.JSON.readTree(Files.readString(ready));
      assertThat(info.get("id").asText()).isEqualTo("b");
      assertThat(info.get("pid").asLong()).isEqualTo(p.pid());
      assertThat(line).endsWith("http=" + info.get("http").asText());
      Api b = new Api(URI.create(info.get("http").asText()), null);
      Process proc = p;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !proc.isAlive() || b.get("/ready").status() == 200);
      assertThat(p.isAlive())
          .as("the agent exited: %s", Files.readString(dir.resolve("b.err")))
          .isTrue();
      Api apiA = new Api(a);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> apiA.get("/v1/members?status=online").json().get("members").size() == 2);

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      List<String> left = apiA.get("/v1/members?status=left").json().findValuesAsText("id");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  apiA.get("/v1/members?status=left").json().findValuesAsText("id").contains("b"));
      assertThat(left).doesNotContain("a");
    } finally {
      if (p != null) {
        p.destroyForcibly();
      }
      a.close();
    }
  }

  @Test
  void aBusyPortExitsOne() throws IOException, InterruptedException {
    Agent a = Agent.start(AgentApiTest.config("a").build());
    try {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  AgentMain.class.getName(),
                  "--bind",
                  "127.0.0.1:0",
                  "--http",
                  "127.0.0.1:" + a.httpAddress().getPort())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(err).isEqualTo(1);
      assertThat(err).contains("gossip agent: cannot listen for HTTP on 127.0.0.1:");
    } finally {
      a.close();
    }
  }
}
