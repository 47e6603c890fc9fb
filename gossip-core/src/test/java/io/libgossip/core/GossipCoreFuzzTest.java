package io.libgossip.core;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link GossipCore#handleMessage} and {@link GossipCore#tick} with
 * Jazzer: a {@link GossipCoreFuzzDriver} reads the input as a script of steps (messages decoded
 * from raw wire bytes, messages built from a few bytes and sent through the codec, replies to what
 * the core sent, clock advances) and checks the core's invariants after every step.
 *
 * <p>In a normal {@code ./mvnw test} run Jazzer replays each saved input under {@code
 * src/test/resources/io/libgossip/core/GossipCoreFuzzTestInputs/coreStaysSaneUnderAnyMessages/} as
 * one test case. {@link GossipCoreFuzzInputs} writes the seeds there (see its {@code main}).
 *
 * <p>To fuzz for real, by hand (bounded; Ctrl-C stops early):
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp test -pl gossip-core -Dtest=GossipCoreFuzzTest \
 *     -Djazzer.max_duration=10m
 * </pre>
 *
 * A crashing input is written to the inputs directory above, where it then replays as a regression
 * test in every build: commit it together with the fix.
 */
class GossipCoreFuzzTest {

  /**
   * Whatever arrives, no exception escapes the core; no member is in an impossible state (this node
   * never SUSPECT or FAILED in its own view, incarnations within 32 bits, no duplicate or id-less
   * member, valid metadata, counts and stats that agree with the table); no member moves back down
   * the claim order (a lower incarnation, or a weaker status at the same one); a claim that this
   * node is suspect or gone is refuted with a higher incarnation; the table holds at most one
   * member per distinct id seen plus this node; and everything the core sends is from this node, to
   * another, encodes, decodes to itself and, when best-effort, fits in a packet.
   */
  @FuzzTest(maxDuration = "5m")
  void coreStaysSaneUnderAnyMessages(byte[] data) {
    new GossipCoreFuzzDriver().run(data);
  }
}
