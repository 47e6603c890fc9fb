package io.libgossip.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@code OperatorCli.main} in its own process: Ctrl-C (SIGINT) ends a monitor cleanly. */
class OperatorCliProcessTest {
  /**
   * Bound on the child JVM's start and first output: a second or two normally, but under a loaded
   * machine (two cores shared by many builds) it took up to 30 s.
   */
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  @EnabledOnOs(OS.LINUX)
  void ctrlCEndsAMonitorWithoutAStackTrace() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    try (FakeAgent agent = new FakeAgent()) {
      agent.on(
          "GET /v1/events",
          (ex, req) -> {
            OutputStream out = FakeAgent.startStream(ex, "text/event-stream");
            FakeAgent.write(
                out,
                "event: snapshot\ndata: {\"self\":{\"id\":\"n1\"},\"members\":[]}\n\n"
                    + "event: broadcast\ndata: {\"type\":\"broadcast\",\"from\":\"n1\","
                    + "\"topic\":\"t\",\"key\":null,\"seq\":1,\"payload\":\"p\","
                    + "\"payload_base64\":\"cA==\"}\n\n");
            try {
              hold.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // `env --default-signal=INT` (coreutils): a JVM leaves SIGINT alone when it starts with the
      // signal ignored, as every process under a background job of a script (`cmd &`) does
      Process p =
          new ProcessBuilder(
                  List.of(
                      "env",
                      "--default-signal=INT",
                      java,
                      "-cp",
                      System.getProperty("java.class.path"),
                      OperatorCli.class.getName(),
                      "monitor",
                      "--http",
                      agent.url()))
              .start();
      try {
        ByteArrayOutputStream out = drain(p.getInputStream());
        ByteArrayOutputStream err = drain(p.getErrorStream());
        await().atMost(WAIT).until(() -> out.toString(StandardCharsets.UTF_8).lines().count() >= 2);
        Process kill =
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the monitor ends after SIGINT").isTrue();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().toList().get(1))
            .endsWith("  broadcast  from=n1 topic=t seq=1 payload=p");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
      } finally {
        hold.countDown();
        p.destroyForcibly();
      }
    }
  }

  private static ByteArrayOutputStream drain(InputStream in) {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[4096];
              try {
                int n;
                while ((n = in.read(buf)) > 0) {
                  synchronized (sink) {
                    sink.write(buf, 0, n);
                  }
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "drain");
    t.setDaemon(true);
    t.start();
    return sink;
  }
}
