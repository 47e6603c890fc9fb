package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.Schedule.Deadline;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Push-pull exchanges, the join, catch-up exchanges and reconnection to failed members. */
class AntiEntropyTest {
  private static final long T0 = 100 * SEC;

  private static Units started() {
    Units u = new Units();
    u.schedule.start(T0);
    return u;
  }

  private static PushPull state(String from, boolean reply, MemberUpdate... updates) {
    return new PushPull(from, addr(from), false, reply, List.of(updates));
  }

  @Test
  void requestIsMergedAndAnsweredWithThisNodesFullState() {
    Units u = started().withMembers("a");

    int changed = u.antiEntropy.onPushPull(state("b", false, online("b", 0), online("c", 0)), T0);

    assertThat(changed).isEqualTo(2);
    PushPull reply = u.outbox.messagesTo(PushPull.class, "b").get(0);
    assertThat(reply.reply()).isTrue();
    assertThat(reply.join()).isFalse();
    assertThat(reply.updates())
        .extracting(MemberUpdate::id)
        .containsExactlyInAnyOrder(Units.SELF, "a", "b", "c");
    assertThat(u.outbox.sentOf(PushPull.class, "b").get(0).delivery()).isEqualTo(Delivery.RELIABLE);
    assertThat(u.antiEntropy.hasJoined()).as("a request does not complete a join").isFalse();
  }

  @Test
  void replyCompletesTheJoinOnceAndSchedulesACatchUp() {
    Units u = started();

    u.antiEntropy.onPushPull(state("b", true, online("b", 0)), T0);
    u.antiEntropy.onPushPull(state("b", true, online("b", 0)), T0 + SEC);

    assertThat(u.antiEntropy.hasJoined()).isTrue();
    assertThat(u.self.status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.listener.selfEvents())
        .hasSize(1)
        .first()
        .isInstanceOf(ClusterEvent.SelfJoined.class);
    assertThat(u.outbox.sentOf(PushPull.class)).as("a reply is not answered").isEmpty();
    // the first catch-up half a probe interval after the join, plus up to a quarter (decision 056)
    long probe = u.config.probeInterval().toNanos();
    assertThat(u.schedule.isDue(Deadline.PUSH_PULL, T0 + probe / 2 - 1)).isFalse();
    assertThat(u.schedule.isDue(Deadline.PUSH_PULL, T0 + probe * 3 / 4)).isTrue();
  }

  @Test
  void theFirstCatchUpComesHalfToThreeQuartersOfAProbeIntervalAfterTheJoin() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    long probe = SEC;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 1_000; i++) {
      long d = AntiEntropy.firstCatchUpDelay(probe, random);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isBetween(probe / 2, probe / 2 + probe / 40);
    assertThat(max).isBetween(probe * 3 / 4 - probe / 40, probe * 3 / 4);
  }

  @Test
  void catchUpExchangesComeAtDoublingGapsThenTheRegularInterval() {
    Units u = started().withMembers("a");
    u.antiEntropy.markJoined(T0);
    long now = T0 + 3 * SEC;
    long[] gaps = new long[7];
    for (int i = 0; i < gaps.length; i++) {
      u.antiEntropy.pushPullRound(now);
      long next = now;
      while (!u.schedule.isDue(Deadline.PUSH_PULL, next)) {
        next += SEC / 10;
      }
      gaps[i] = next - now;
      now = next;
    }

    // from half a probe interval, doubling up to 16 (decision 066), each plus up to a half
    long gap = SEC / 2;
    for (int i = 0; i < 6; i++, gap *= 2) {
      assertThat(gaps[i]).as("catch-up gap %d", i).isBetween(gap, gap + gap / 2 + SEC / 10);
    }
    assertThat(gaps[6]).as("then the regular interval").isGreaterThanOrEqualTo(30 * SEC);
    assertThat(u.outbox.messagesTo(PushPull.class, "a")).hasSize(7);
  }

  @Test
  void reconnectTellsAFailedMemberItIsHeldDead() {
    Units u = started().withMembers("a", "b");
    u.claims.applyGossip(failed("a", 0, "b"), T0);
    u.outbox.clear();

    u.antiEntropy.reconnectRound(T0);

    List<Gossip> told = u.outbox.messagesTo(Gossip.class, "a");
    assertThat(told).hasSize(1);
    assertThat(told.get(0).updates()).first().isEqualTo(u.member("a").state);
    assertThat(u.schedule.isDue(Deadline.RECONNECT, T0 + u.config.reconnectInterval().toNanos()))
        .isTrue();
  }

  @Test
  void reconnectWithNoFailedMemberSendsNothing() {
    Units u = started().withMembers("a");

    u.antiEntropy.reconnectRound(T0);

    assertThat(u.outbox.size()).isZero();
  }

  @Test
  void answerFromAFailedMemberBringsTheNextReconnectForward() {
    Units u = started().withMembers("a", "b");
    u.claims.applyGossip(failed("a", 0, "b"), T0);
    u.schedule.set(Deadline.RECONNECT, T0 + 60 * SEC);

    u.antiEntropy.onPushPull(state("a", true, online("a", 1)), T0);

    long quarter = u.config.reconnectInterval().toNanos() / 4;
    assertThat(u.schedule.isDue(Deadline.RECONNECT, T0 + quarter)).isTrue();
    assertThat(u.member("a").status()).isEqualTo(NodeStatus.ONLINE);
  }
}
