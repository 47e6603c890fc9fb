package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.examples.ChildJvms.Child;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three {@link QuorumJobsNode} processes (separate JVMs on loopback) elect one quorum leader and
 * run each job on one of them; when the leader's process is killed, leadership moves to a survivor
 * with a higher term and the leader's jobs move too, with no (job, due time) run by two processes.
 */
class MultiProcessQuorumJobsTest {
  private static final Duration WAIT = Duration.ofSeconds(40);

  private final ChildJvms jvms =
      new ChildJvms(
          WAIT,
          Duration.ofMillis(100),
          c -> {
            List<String> out = new ArrayList<>();
            c.lines.stream().filter(l -> !l.startsWith("RUN")).forEach(out::add);
            out.add("runs: " + runs(c));
            return out;
          });

  @AfterEach
  void destroyAll() throws InterruptedException {
    jvms.close();
  }

  /** The term of {@code node}'s last LEADER line while it still leads, or -1. */
  private static long leadingTerm(Child node) {
    long term = -1;
    for (String l : node.lines) {
      String[] t = l.split(" ");
      if (t[0].equals("LEADER")) {
        term = Long.parseLong(t[2]);
      } else if (t[0].equals("FOLLOWER")) {
        term = -1;
      }
    }
    return term;
  }

  /** Due times (ms) of job runs by {@code node}, by job. */
  private static Map<String, List<Long>> runs(Child node) {
    Map<String, List<Long>> out = new HashMap<>();
    for (String l : node.lines) {
      String[] t = l.split(" ");
      if (t[0].equals("RUN") && t.length == 4) {
        out.computeIfAbsent(t[1], k -> new ArrayList<>()).add(Long.parseLong(t[2]));
      }
    }
    return out;
  }

  @Test
  void oneLeaderAndOneRunPerDueTimeAndBothMoveWhenTheLeaderIsKilled() throws Exception {
    int[] ports = ChildJvms.freePorts(3);
    String seed = "127.0.0.1:" + ports[0];
    Child a = start("a", ports[0]);
    jvms.awaitOrDump("a to be ready", () -> a.printed("READY a"));
    Child b = start("b", ports[1], seed);
    Child c = start("c", ports[2], seed);
    List<Child> all = List.of(a, b, c);

    // Views agree only eventually: two nodes may both claim while they disagree (the election is
    // not consensus, see QuorumLeaderElection), and one of them steps down once they agree. So the
    // single leader is the one that has held for a while.
    jvms.awaitStableOrDump(
        "one leader for 3 s and every job running",
        Duration.ofSeconds(3),
        () ->
            all.stream().filter(p -> leadingTerm(p) > 0).count() == 1
                && jobsRun(all).size() == QuorumJobsNode.JOBS);
    Child leader = all.stream().filter(p -> leadingTerm(p) > 0).findFirst().orElseThrow();
    long term = leadingTerm(leader);
    Set<String> leadersJobs = runs(leader).keySet();
    assertThat(leadersJobs).as("the leader owns some job; output:%n%s", jvms.dump()).isNotEmpty();

    leader.process.destroyForcibly(); // a crash: no leave
    assertThat(leader.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long killedAt = System.currentTimeMillis();
    List<Child> survivors = all.stream().filter(p -> p != leader).toList();
    jvms.awaitOrDump(
        "a survivor to lead with a higher term",
        () -> survivors.stream().anyMatch(p -> leadingTerm(p) > term));
    jvms.awaitOrDump(
        "the killed leader's jobs to run on a survivor",
        () ->
            leadersJobs.stream()
                .allMatch(
                    j ->
                        survivors.stream()
                            .anyMatch(
                                p ->
                                    runs(p).getOrDefault(j, List.of()).stream()
                                        .anyMatch(t -> t > killedAt))));
    assertThat(survivors.stream().filter(p -> leadingTerm(p) > 0).count())
        .as("one leader among the survivors; output:%n%s", jvms.dump())
        .isEqualTo(1);

    // at most once: no (job, due time) ran in two processes
    Map<String, String> ranBy = new HashMap<>();
    List<String> twice = new ArrayList<>();
    for (Child p : all) {
      runs(p)
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
    assertThat(twice).as("due times run twice; output:%n%s", jvms.dump()).isEmpty();
  }

  private static Set<String> jobsRun(List<Child> all) {
    Set<String> jobs = new HashSet<>();
    all.forEach(p -> jobs.addAll(runs(p).keySet()));
    return jobs;
  }

  private Child start(String id, int port, String... seed) throws IOException {
    List<String> args = new ArrayList<>(List.of(id, Integer.toString(port)));
    Collections.addAll(args, seed);
    return jvms.start(id, QuorumJobsNode.class, args.toArray(String[]::new));
  }
}
