package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loss estimate (decision 058) and what address proofs tell it. */
class LossEstimateTest {
  private final LossEstimate loss = new LossEstimate(SEC);

  private void samples(int onTime, int late, long at) {
    for (int i = 0; i < onTime; i++) {
      loss.sample(false, at);
    }
    for (int i = 0; i < late; i++) {
      loss.sample(true, at);
    }
  }

  @Test
  void tooFewAnswersCountAsHeavyLossAndConfirm() {
    samples(LossEstimate.MIN_SAMPLES - 1, 0, 0);

    assertThat(loss.confirming(0)).isTrue();
    assertThat(loss.heavy()).isTrue();

    loss.sample(false, 0);
    assertThat(loss.confirming(0)).as("enough answers, none late").isFalse();
    assertThat(loss.heavy()).isFalse();
  }

  @Test
  void oneLateAnswerInFiveIsHeavyLoss() {
    samples(8, 2, 0); // 2 of 10
    assertThat(loss.heavy()).isTrue();
    loss.sample(false, 0); // 2 of 11
    assertThat(loss.heavy()).isFalse();
    assertThat(loss.confirming(0)).as("moderate loss still confirms (widened probes)").isTrue();
  }

  @Test
  void aLateAnswerKeepsConfirmationOnForItsMemoryOnly() {
    samples(LossEstimate.MIN_SAMPLES, 0, 0);
    loss.sample(true, 5 * SEC);
    long memory = LossEstimate.MEMORY_PERIODS * SEC;

    assertThat(loss.confirming(5 * SEC + memory - 1)).isTrue();
    assertThat(loss.confirming(5 * SEC + memory)).isFalse();
  }

  @Test
  void onlyTheLatestWindowOfAnswersCounts() {
    samples(0, LossEstimate.WINDOW, 0);
    assertThat(loss.heavy()).isTrue();

    samples(LossEstimate.WINDOW - LossEstimate.WINDOW / LossEstimate.HEAVY_ONE_IN, 0, SEC);
    assertThat(loss.samples()).isEqualTo(LossEstimate.WINDOW);
    assertThat(loss.heavy()).as("12 late of the latest 64").isFalse();
  }

  @Test
  void clearForgetsEverything() {
    samples(LossEstimate.MIN_SAMPLES, 3, 0);
    loss.clear();

    assertThat(loss.samples()).isZero();
    assertThat(loss.heavy()).isTrue();
  }

  @Test
  void proofAnsweredInTimeIsAnOnTimeSampleAndAnOverdueOneALateSample() {
    Units u = new Units();
    u.claims.applyGossip(CoreFixture.online("fast", 1), 0);
    u.claims.applyGossip(CoreFixture.online("slow", 1), 0);
    long fastSeq = u.outbox.messagesTo(Ping.class, "fast").get(0).seq();

    u.core.handleMessage(new Ack("fast", CoreFixture.addr("fast"), fastSeq, List.of()), 10 * MS);
    u.proofs.checkOverdue(10 * MS);
    assertThat(u.loss.samples()).isEqualTo(1);
    assertThat(u.loss.confirming(10 * MS)).as("one answer says little").isTrue();

    u.proofs.checkOverdue(499 * MS);
    assertThat(u.loss.samples()).as("not overdue yet").isEqualTo(1);
    u.proofs.checkOverdue(500 * MS); // one probe timeout after the proof went

    assertThat(u.loss.samples()).isEqualTo(2);
    for (int i = 0; i < LossEstimate.MIN_SAMPLES; i++) {
      u.loss.sample(false, 0);
    }
    assertThat(u.loss.heavy()).as("1 late of 10").isFalse();
    assertThat(u.loss.confirming(SEC)).as("the overdue proof is a recent sign of loss").isTrue();
    assertThat(u.loss.confirming(500 * MS + LossEstimate.MEMORY_PERIODS * SEC)).isFalse();
  }

  @Test
  void proofsAreCountedInTheOrderSentSoLateOnesDoNotCrowdTheWindow() {
    Units u = new Units();
    u.claims.applyGossip(CoreFixture.online("slow", 1), 0);
    u.claims.applyGossip(CoreFixture.online("fast", 1), MS);
    long fastSeq = u.outbox.messagesTo(Ping.class, "fast").get(0).seq();
    u.core.handleMessage(new Ack("fast", CoreFixture.addr("fast"), fastSeq, List.of()), 2 * MS);

    u.proofs.checkOverdue(2 * MS);
    assertThat(u.loss.samples()).as("the earlier proof is not settled yet: nothing").isZero();
    u.proofs.checkOverdue(501 * MS);
    assertThat(u.loss.samples()).as("late one, then the answered one").isEqualTo(2);
  }
}
