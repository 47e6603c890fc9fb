package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.examples.ChildJvms.Child;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three {@code ./gossip node} processes ({@link NodeMain} in separate JVMs) form a cluster over
 * loopback, detect one that is killed, and see another leave gracefully on {@code SIGTERM}.
 */
class MultiProcessClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Set<String> EVENT_KINDS =
      Set.of("JOINED", "RECOVERED", "SUSPECTED", "FAILED", "LEFT", "REMOVED", "METADATA_CHANGED");

  private final ChildJvms jvms = new ChildJvms(WAIT, Duration.ofMillis(50), c -> c.lines);

  @AfterEach
  void destroyAll() throws InterruptedException {
    jvms.close();
  }

  /** Whether a line of {@code node}'s output has {@code kind} (second token) about {@code id}. */
  private static boolean printed(Child node, String kind, String about) {
    return node.lines.stream()
        .map(l -> l.split("\\s+"))
        .anyMatch(t -> t.length >= 5 && t[1].equals(kind) && t[2].equals(about));
  }

  /** The status {@code node} last reported for member {@code about}, or "unknown". */
  private static String statusOf(Child node, String about) {
    String status = "unknown";
    for (String l : node.lines) {
      String[] t = l.split("\\s+");
      if (t.length >= 5 && EVENT_KINDS.contains(t[1]) && t[2].equals(about)) {
        status = t[4];
      }
    }
    return status;
  }

  @Test
  void separateProcessesFormAClusterDetectAKilledNodeAndSeeAGracefulLeave() throws Exception {
    int[] ports = ChildJvms.freePorts(3);
    Child a = start("a", ports[0]);
    jvms.awaitOrDump("a to be ready", () -> printed(a, "READY", "a"));
    String seed = "127.0.0.1:" + ports[0];
    Child b = start("b", ports[1], "--join", seed, "--meta", "role=web");
    Child c = start("c", ports[2], "--join", seed);
    List<Child> all = List.of(a, b, c);

    jvms.awaitOrDump(
        "every node to see the two others ONLINE",
        () ->
            all.stream()
                .allMatch(
                    p ->
                        all.stream()
                            .filter(q -> q != p)
                            .allMatch(q -> statusOf(p, q.id).equals("ONLINE"))));

    c.process.destroyForcibly(); // no leave, sockets gone: a crash
    jvms.awaitOrDump(
        "a and b to report c SUSPECT and then FAILED",
        () -> statusOf(a, "c").equals("FAILED") && statusOf(b, "c").equals("FAILED"));
    assertThat(printed(a, "SUSPECTED", "c") || printed(b, "SUSPECTED", "c"))
        .as("someone suspected c before it was declared failed")
        .isTrue();

    // SIGTERM through the handle: Process.destroy() would also close b's output before we read it.
    assertThat(b.process.toHandle().destroy()).as("SIGTERM sent to b").isTrue();
    assertThat(b.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("b exits after leaving")
        .isTrue();
    assertThat(b.process.exitValue()).as("b's exit status; output:%n%s", jvms.dump()).isZero();
    jvms.awaitOrDump("b to report that it left", () -> printed(b, "LEFT", "b"));
    jvms.awaitOrDump("a to see b LEFT", () -> statusOf(a, "b").equals("LEFT"));
    assertThat(printed(a, "FAILED", "b")).as("a never saw b FAILED").isFalse();
  }

  private Child start(String id, int port, String... extra) throws IOException {
    List<String> args = new ArrayList<>();
    Collections.addAll(
        args, "--bind", "127.0.0.1:" + port, "--id", id, "--profile", "local", "--summary", "0");
    Collections.addAll(args, extra);
    return jvms.start(id, NodeMain.class, args.toArray(String[]::new));
  }
}
