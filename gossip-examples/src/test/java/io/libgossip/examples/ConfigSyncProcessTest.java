package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.examples.ChildJvms.Child;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Configuration sync across three processes over loopback ({@link ConfigChild} in separate JVMs): a
 * write on one reaches the two others, a remove spreads, and a process killed and restarted with an
 * empty map catches up.
 */
class ConfigSyncProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final ChildJvms jvms =
      new ChildJvms(
          WAIT,
          Duration.ofMillis(50),
          c -> c.lines.stream().filter(l -> !l.contains("DEBUG")).toList());

  @AfterEach
  void destroyAll() throws InterruptedException {
    jvms.close();
  }

  private static boolean ready(Child node) {
    return node.lines.contains("READY " + node.id);
  }

  /** The map {@code node} printed last ("{}" before any change). */
  private static String map(Child node) {
    String map = "{}";
    for (String l : node.lines) {
      if (l.startsWith("MAP ")) {
        map = l.substring(4);
      }
    }
    return map;
  }

  @Test
  void aWriteReachesTheOthersARemoveSpreadsAndARestartedProcessCatchesUp() throws Exception {
    int[] ports = ChildJvms.freePorts(4);
    String seed = "127.0.0.1:" + ports[0];
    Child a = start("a", ports[0]);
    jvms.awaitOrDump("a to be ready", () -> ready(a));
    Child b = start("b", ports[1], seed);
    Child c = start("c", ports[2], seed);
    jvms.awaitOrDump("b and c to be ready", () -> ready(b) && ready(c));

    a.send("put db.url jdbc:postgresql://db-1/app");
    a.send("put feature.x on");
    String both = "{db.url=jdbc:postgresql://db-1/app, feature.x=on}";
    jvms.awaitOrDump(
        "the writes on a to reach b and c", () -> map(b).equals(both) && map(c).equals(both));

    b.send("remove db.url");
    jvms.awaitOrDump(
        "the remove on b to reach a and c",
        () -> map(a).equals("{feature.x=on}") && map(c).equals("{feature.x=on}"));

    c.process.destroyForcibly(); // a crash: no leave
    assertThat(c.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    a.send("put cache.ttl 30"); // written while c is down
    Child c2 = start("c", ports[3], seed);
    jvms.awaitOrDump(
        "the restarted c to catch up with an empty map",
        () -> map(c2).equals("{cache.ttl=30, feature.x=on}"));
    jvms.awaitOrDump("b to have the write made while c was down", () -> map(b).equals(map(c2)));
  }

  private Child start(String id, int port, String... seed) throws IOException {
    List<String> args = new ArrayList<>(List.of(id, Integer.toString(port)));
    Collections.addAll(args, seed);
    return jvms.start(id, ConfigNodeProcess.class, args.toArray(String[]::new));
  }
}
