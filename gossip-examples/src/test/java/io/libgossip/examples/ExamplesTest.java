package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every example runs to completion and prints what it promises. */
class ExamplesTest {
  private static String capture(Consumer<PrintStream> example) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      example.accept(out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void simpleClusterFormsAFullMesh() {
    String out = capture(o -> SimpleCluster.run(o, 4));
    assertThat(out).contains("all 4 nodes see 4 members online", "node-3", "ONLINE");
  }

  @Test
  void seedClusterDemoJoinsThroughTheSeedAndLeaves() {
    String out = capture(SeedCluster::demo);
    assertThat(out).contains("member-3 joined through the seed", "LEFT");
  }

  @Test
  void advancedClusterSpreadsMetadataAndDetectsLeaveAndCrash() {
    String out = capture(AdvancedCluster::run);
    assertThat(out).contains("leader: node-1", "node-2", "LEFT", "FAILED", "node-0 stats");
  }

  @Test
  void messagingExampleBroadcastsAsksQueriesAndSendsOneMebibyte() {
    String out = capture(MessagingExample::run);
    assertThat(out)
        .contains("[node-1] broadcast from node-0, topic config: feature-x=on")
        .contains("[node-2] broadcast from node-0, topic config: feature-x=on")
        .contains("[node-0] answer from node-1: HELLO")
        .contains("query done: 3 of 3 answered, timed out: false")
        .contains("[node-2] message from node-0, topic blob: 1,048,576 bytes")
        .contains("failed as expected: UNKNOWN_MEMBER")
        .doesNotContain("[node-0] broadcast from");
  }

  @Test
  void configExampleSpreadsWritesAndRemovesAndARestartedNodeCatchesUp() {
    String out = capture(ConfigExample::run);
    assertThat(out)
        .contains("3 nodes joined")
        .contains(
            "[node-2 watches db.*] db.url: (none) -> jdbc:postgresql://db-1/app (from node-0)")
        .contains("[node-1 watches feature.x] feature.x: (none) -> on (from node-0)")
        .contains(
            "[node-2 watches db.*] db.url: jdbc:postgresql://db-1/app -> (removed) (from node-0)")
        .contains("gone from every node after")
        .contains("node-2 caught up in")
        .contains("done");
    Matcher m = Pattern.compile("feature.x = (\\w+) \\(expected (\\w+)\\)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(m.group(1)).isEqualTo(m.group(2));
  }

  @Test
  void hashingExampleShowsOwnersAndMovesOnlyTheLeaversKeys() {
    String out = capture(HashingExample::run);
    assertThat(out)
        .contains("4 cache nodes joined; node-0 sees [node-0, node-1, node-2, node-3]")
        .contains("node-0 sees [node-0, node-1, node-3]")
        .contains("(was node-2)");
    // every moved key came from the leaver, on the ring and by rendezvous hashing
    Matcher m = Pattern.compile("([\\d,]+) keys moved, ([\\d,]+) of them from node-2").matcher(out);
    int lines = 0;
    while (m.find()) {
      assertThat(m.group(1)).isEqualTo(m.group(2));
      int moved = Integer.parseInt(m.group(1).replace(",", ""));
      assertThat(moved).isBetween(1_000, 3_750); // K/N = 2,500, within 1.5x
      lines++;
    }
    assertThat(lines).isEqualTo(2);
  }

  @Test
  void balancingExamplePrefersLowLoadsLimitsRequestsAndSkipsACrashedWorker() {
    String out = capture(BalancingExample::run);
    assertThat(out)
        .contains("3 workers joined; loads: worker-1=0.9, worker-2=0.2, worker-3=0.5")
        .contains("round-robin: worker-1, worker-2, worker-3, worker-1, worker-2, worker-3")
        // the bursts of the two workers picked (20 each); the clock is read once, so no refill
        .contains("200 requests in one burst: 40 sent, 160 refused by the limit")
        .contains("picks skip it")
        .contains("done");
    // two distinct draws among three: the most loaded never wins, the least loaded wins 2 in 3
    Matcher m =
        Pattern.compile(
                "worker-1 \\(load 0\\.9\\) 0, worker-2 \\(load 0\\.2\\) ([\\d,]+), "
                    + "worker-3 \\(load (0\\.5|0\\.05)\\) ([\\d,]+)")
            .matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(count(m.group(1))).as(out).isBetween(1_800, 2_200);
    assertThat(m.group(2)).isEqualTo("0.5");
    assertThat(m.find()).as(out).isTrue();
    assertThat(count(m.group(3))).as(out).isBetween(1_800, 2_200);
    assertThat(m.group(2)).isEqualTo("0.05");
    // after the crash only worker-1 and worker-3 are left: two draws among two, worker-3 wins
    assertThat(out.substring(out.indexOf("picks skip it")))
        .contains("worker-1 (load 0.9) 0, worker-3 (load 0.05) 3,000")
        .doesNotContain("worker-2 (load");
  }

  private static int count(String digits) {
    return Integer.parseInt(digits.replace(",", ""));
  }

  @Test
  void jobsExampleMovesLeadershipAndTheLeadersJobWhenTheLeaderIsKilled() {
    String out = capture(JobsExample::run);
    assertThat(out)
        .contains("node-1 gained leadership (term 1)")
        .contains("node-1 leads (term 1); report runs on node-0, cleanup on node-1")
        .contains("-- the leader, node-1, is killed")
        .contains("leads (term 2); report runs on node-0, cleanup on node-")
        .contains("done");
    assertThat(out.substring(out.indexOf("is killed")))
        .doesNotContain("node-1 gained")
        .doesNotContain("runs on node-1 now");
  }

  @Test
  void timingExampleFindsTheSkewedClockWithinItsErrorBound() {
    String out = capture(TimingExample::run);
    assertThat(out).contains("node-2's clock is 250 ms ahead").contains("done");
    Matcher m =
        Pattern.compile("node-0 -> (node-\\d): rtt .*?clock offset ([+-][\\d.]+) ms ± ([\\d.]+) ms")
            .matcher(out);
    int peers = 0;
    while (m.find()) {
      double offset = Double.parseDouble(m.group(2));
      double bound = Double.parseDouble(m.group(3));
      double truth = m.group(1).equals("node-2") ? 250 : 0;
      // loopback: the error bound (half the round trip) is well under a millisecond
      assertThat(Math.abs(offset - truth)).as(out).isLessThanOrEqualTo(Math.max(bound, 0.1) + 2);
      peers++;
    }
    assertThat(peers).as(out).isEqualTo(2);
    assertThat(out).containsPattern("estimated rtt to node-1: \\d+ µs");
  }

  @Test
  void serfExampleJoinsAPoolSharesEventsAQueryAndLeaves() {
    String out = capture(SerfExample::run);
    assertThat(out)
        .contains("java-1 sent event hello-from-java: java-2 got it")
        .contains("java-1's query whoami: answer from java-2: I am java-2")
        .contains("java-2 left: java-1 sees it LEFT")
        .contains("done");
    if (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/serf"))) {
      assertThat(out)
          .contains("serf agent agent-1 listens on")
          .contains("java-1 got event deploy v42", "java-2 got event deploy v42")
          .contains("and the agent logged it")
          .contains("java-1's query whoami: ack from agent-1");
      assertThat(out.substring(out.lastIndexOf("serf members:"))).containsPattern("java-2 .* left");
    }
  }

  @Test
  void networkExampleUsesEveryTransportAndSerializer() {
    String out = capture(NetworkExample::run);
    assertThat(out)
        .contains("\"format\":\"libgossip\"")
        .contains("UDP    binary", "TCP    json", "HYBRID binary")
        .contains("refused: ") // UDP cannot carry the large message
        .contains("push-pull sent");
  }
}
