package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three {@link QuorumJobsNode} processes (separate JVMs on loopback) elect one quorum leader and
 * run each job on one of them; when the leader's process is killed, leadership moves to a survivor
 * with a higher term and the leader's jobs move too, with no (job, due time) run by two processes.
 */
class MultiProcessQuorumJobsTest {
  private static final Duration WAIT = Duration.ofSeconds(40);

  private final List<NodeProcess> processes = new ArrayList<>();

  /** One node process and the lines it has printed. */
  private static final class NodeProcess {
    final String id;
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    NodeProcess(String id, Process process) {
      this.id = id;
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  lines.add("(reader stopped: " + e + ")");
                }
              },
              "quorum-node-output-" + id);
      reader.setDaemon(true);
      reader.start();
    }

    boolean printed(String prefix) {
      return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }

    /** The term of this node's last LEADER line while it still leads, or -1. */
    long leadingTerm() {
      long term = -1;
      for (String l : lines) {
        String[] t = l.split(" ");
        if (t[0].equals("LEADER")) {
          term = Long.parseLong(t[2]);
        } else if (t[0].equals("FOLLOWER")) {
          term = -1;
        }
      }
      return term;
    }

    /** Due times (ms) of job runs by this node, by job. */
    Map<String, List<Long>> runs() {
      Map<String, List<Long>> out = new HashMap<>();
      for (String l : lines) {
        String[] t = l.split(" ");
        if (t[0].equals("RUN") && t.length == 4) {
          out.computeIfAbsent(t[1], k -> new ArrayList<>()).add(Long.parseLong(t[2]));
        }
      }
      return out;
    }
  }

  @AfterEach
  void destroyAll() throws InterruptedException {
    for (NodeProcess p : processes) {
      p.process.destroyForcibly();
    }
    for (NodeProcess p : processes) {
      p.process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void oneLeaderAndOneRunPerDueTimeAndBothMoveWhenTheLeaderIsKilled() throws Exception {
    int[] ports = freePorts(3);
    String seed = "127.0.0.1:" + ports[0];
    NodeProcess a = start("a", ports[0]);
    awaitOrDump("a to be ready", () -> a.printed("READY a"));
    NodeProcess b = start("b", ports[1], seed);
    NodeProcess c = start("c", ports[2], seed);
    List<NodeProcess> all = List.of(a, b, c);

    awaitOrDump(
        "one leader and every job running",
        () ->
            all.stream().filter(p -> p.leadingTerm() > 0).count() == 1
                && jobsRun(all).size() == QuorumJobsNode.JOBS);
    NodeProcess leader = all.stream().filter(p -> p.leadingTerm() > 0).findFirst().orElseThrow();
    long term = leader.leadingTerm();
    Set<String> leadersJobs = leader.runs().keySet();
    assertThat(leadersJobs).as("the leader owns some job; output:%n%s", dump()).isNotEmpty();

    leader.process.destroyForcibly(); // a crash: no leave
    assertThat(leader.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long killedAt = System.currentTimeMillis();
    List<NodeProcess> survivors = all.stream().filter(p -> p != leader).toList();
    awaitOrDump(
        "a survivor to lead with a higher term",
        () -> survivors.stream().anyMatch(p -> p.leadingTerm() > term));
    awaitOrDump(
        "the killed leader's jobs to run on a survivor",
        () ->
            leadersJobs.stream()
                .allMatch(
                    j ->
                        survivors.stream()
                            .anyMatch(
                                p ->
                                    p.runs().getOrDefault(j, List.of()).stream()
                                        .anyMatch(t -> t > killedAt))));
    assertThat(survivors.stream().filter(p -> p.leadingTerm() > 0).count())
        .as("one leader among the survivors; output:%n%s", dump())
        .isEqualTo(1);

    // at most once: no (job, due time) ran in two processes
    Map<String, String> ranBy = new HashMap<>();
    List<String> twice = new ArrayList<>();
    for (NodeProcess p : all) {
      p.runs()
          .forEach(
              (job, dues) -> {
                for (long due : new HashSet<>(dues)) {
                  String other = ranBy.put(job + "@" + due, p.id);
                  if (other != null && !other.equals(p.id)) {
                    twice.add(job + "@" + due + " by " + other + " and " + p.id);
                  }
                }
              });
    }
    assertThat(twice).as("due times run twice; output:%n%s", dump()).isEmpty();
  }

  private static Set<String> jobsRun(List<NodeProcess> all) {
    Set<String> jobs = new HashSet<>();
    all.forEach(p -> jobs.addAll(p.runs().keySet()));
    return jobs;
  }

  private NodeProcess start(String id, int port, String... seed) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Collections.addAll(cmd, "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    Collections.addAll(cmd, "-cp", System.getProperty("java.class.path"));
    cmd.add(QuorumJobsNode.class.getName());
    cmd.add(id);
    cmd.add(Integer.toString(port));
    Collections.addAll(cmd, seed);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    NodeProcess np = new NodeProcess(id, p);
    processes.add(np);
    return np;
  }

  private void awaitOrDump(String what, BooleanSupplier condition) {
    try {
      await(what).atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out waiting for " + what + "; output:\n" + dump(), e);
    }
  }

  private String dump() {
    StringBuilder sb = new StringBuilder();
    for (NodeProcess p : processes) {
      sb.append("---- ").append(p.id).append(p.process.isAlive() ? " (running)" : " (exited)");
      sb.append('\n');
      p.lines.stream().filter(l -> !l.startsWith("RUN")).forEach(l -> sb.append(l).append('\n'));
      sb.append("runs: ").append(p.runs()).append('\n');
    }
    return sb.toString();
  }

  /** Ports free for both UDP and TCP on 127.0.0.1, distinct from each other. */
  private static int[] freePorts(int n) throws IOException {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    List<AutoCloseable> held = new ArrayList<>();
    int[] ports = new int[n];
    int found = 0;
    try {
      while (found < n) {
        ServerSocket tcp = new ServerSocket(0, 50, lo);
        held.add(tcp);
        try {
          DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, tcp.getLocalPort()));
          held.add(udp);
          ports[found++] = tcp.getLocalPort();
        } catch (IOException busy) {
          // UDP side taken: try another
        }
      }
    } finally {
      for (AutoCloseable c : held) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing a probe socket
        }
      }
    }
    return ports;
  }
}
