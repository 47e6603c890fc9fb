package io.libgossip.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line and the config file, without starting an agent. */
class AgentMainTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new AgentMain(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .run(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static AgentConfig parse(Path config, String... args) {
    AgentMain.Options first = new AgentMain.Options();
    CommandLine cl = new CommandLine(first);
    CommandLine.ParseResult pr = cl.parseArgs(args);
    java.util.Set<String> given = new java.util.TreeSet<>();
    pr.matchedOptions().forEach(o -> given.add(o.longestName()));
    java.util.List<String> merged =
        new java.util.ArrayList<>(AgentMain.fileArgs(config, cl, given));
    merged.addAll(java.util.List.of(args));
    AgentMain.Options o = new AgentMain.Options();
    new CommandLine(o).parseArgs(merged.toArray(new String[0]));
    return AgentMain.toConfig(o);
  }

  @Test
  void helpExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--ready-file").contains("--respond");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    assertThat(run("--bind", "127.0.0.1:0", "--nope")).isEqualTo(2);
    assertThat(err()).contains("--nope").doesNotContain("\n\n");
  }

  @Test
  void aMissingBindIsAUsageError() {
    assertThat(run("--http", "127.0.0.1:0")).isEqualTo(2);
    assertThat(err()).contains("missing --bind");
  }

  @Test
  void aNonLoopbackHttpWithoutTokenIsAUsageError() {
    assertThat(run("--bind", "127.0.0.1:0", "--http", "0.0.0.0:0")).isEqualTo(2);
    assertThat(err().lines().count()).isEqualTo(1);
    assertThat(err()).contains("--http-token");
  }

  @Test
  void anUnknownConfigKeyIsOneLineAndExitTwo() throws IOException {
    Path f = dir.resolve("agent.yaml");
    Files.writeString(f, "bind: 127.0.0.1:0\ncolour: red\n");
    assertThat(run("--config", f.toString())).isEqualTo(2);
    assertThat(err().lines().count()).isEqualTo(1);
    assertThat(err()).contains("unknown key 'colour'");
  }

  @Test
  void yamlKeysAreTheOptionsAndFlagsOverrideThem() throws IOException {
    Path f = dir.resolve("agent.yml");
    Files.writeString(
        f,
        "bind: 127.0.0.1:7000\n"
            + "http: 127.0.0.1:9000\n"
            + "id: from-file\n"
            + "join: [127.0.0.1:7001, 127.0.0.1:7002]\n"
            + "retry-join: true\n"
            + "meta: {role: web, zone: z1}\n"
            + "respond: {version: '1.0'}\n"
            + "http-token: abc\n"
            + "leave-timeout: 2s\n");
    AgentConfig c = parse(f, "--id", "from-flag", "--http", "127.0.0.1:9001");
    assertThat(c.id()).isEqualTo("from-flag");
    assertThat(c.http().port()).isEqualTo(9001);
    assertThat(c.bind().port()).isEqualTo(7000);
    assertThat(c.join()).hasSize(2);
    assertThat(c.retryJoin()).isTrue();
    assertThat(c.meta()).containsEntry("role", "web").containsEntry("zone", "z1");
    assertThat(c.respond()).containsEntry("version", "1.0");
    assertThat(c.httpToken()).isEqualTo("abc");
    assertThat(c.leaveTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void jsonConfigWorksToo() throws IOException {
    Path f = dir.resolve("agent.json");
    Files.writeString(
        f, "{\"bind\":\"127.0.0.1:7000\",\"meta\":{\"a\":\"b\"},\"http-max-body\":4096}");
    AgentConfig c = parse(f);
    assertThat(c.meta()).containsEntry("a", "b");
    assertThat(c.httpMaxBody()).isEqualTo(4096);
  }

  @Test
  void badValuesNameTheOption() {
    assertThat(run("--bind", "nohost")).isEqualTo(2);
    assertThat(err()).contains("--bind");
    err.reset();
    assertThat(run("--bind", "127.0.0.1:0", "--meta", "novalue")).isEqualTo(2);
    assertThat(err()).contains("--meta");
    err.reset();
    assertThat(run("--bind", "127.0.0.1:0", "--join-timeout", "soon")).isEqualTo(2);
    assertThat(err()).contains("--join-timeout");
  }
}
