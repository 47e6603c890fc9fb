package io.libgossip.core;

import static io.libgossip.core.TestCluster.MS;
import static io.libgossip.core.TestCluster.SEC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Direct messages, requests and their outcomes (see {@link GossipCore#send}). */
class MessagingTest {
  private final List<Inbox> inboxes = new ArrayList<>();

  private TestCluster cluster(int n, GossipConfig config) {
    TestCluster c =
        new TestCluster(
            n,
            config,
            7,
            (i, b) -> {
              Inbox inbox = new Inbox();
              if (i < inboxes.size()) {
                inboxes.set(i, inbox);
              } else {
                inboxes.add(inbox);
              }
              b.messageHandler(inbox);
            });
    c.joinAll();
    c.runFor(3 * SEC);
    assertThat(c.converged()).isTrue();
    return c;
  }

  private TestCluster cluster(int n) {
    return cluster(n, GossipConfig.lan());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aBestEffortMessageIsDeliveredOnceAndReturnsZero() {
    TestCluster c = cluster(3);
    long id = c.core(0).send("n1", "greet", bytes("hi"), Delivery.BEST_EFFORT, c.now);
    assertThat(id).isZero();
    c.runFor(100 * MS);
    assertThat(inboxes.get(1).messages).hasSize(1);
    DirectMessage m = inboxes.get(1).messages.get(0);
    assertThat(m.from()).isEqualTo("n0");
    assertThat(m.topic()).isEqualTo("greet");
    assertThat(m.payload()).isEqualTo(bytes("hi"));
    assertThat(m.delivery()).isEqualTo(Delivery.BEST_EFFORT);
    assertThat(m.isRequest()).isFalse();
    assertThat(inboxes.get(2).messages).isEmpty();
    assertThat(c.core(0).pendingOutcomes()).isZero();
  }

  @Test
  void aReliableMessageGetsOneReceiptAndNothingElse() {
    TestCluster c = cluster(3);
    long id = c.core(0).send("n2", "cfg", new byte[5000], Delivery.RELIABLE, c.now);
    assertThat(id).isPositive();
    assertThat(inboxes.get(0).outcomes).as("never from within the call").isEmpty();
    assertThat(c.core(0).pendingOutcomes()).isEqualTo(1);
    c.runFor(100 * MS);
    assertThat(inboxes.get(2).messages).hasSize(1);
    assertThat(inboxes.get(2).messages.get(0).delivery()).isEqualTo(Delivery.RELIABLE);
    assertThat(inboxes.get(0).outcomesOf(id))
        .containsExactly(new Inbox.Outcome(id, "delivered", ""));
    c.runFor(10 * SEC);
    assertThat(inboxes.get(0).outcomesOf(id)).hasSize(1);
    assertThat(c.core(0).pendingOutcomes()).isZero();
  }

  @Test
  void aBestEffortPayloadThatDoesNotFitAPacketIsRefusedNamingTheReliablePath() {
    TestCluster c = cluster(2);
    assertThatThrownBy(
            () -> c.core(0).send("n1", "big", new byte[1400], Delivery.BEST_EFFORT, c.now))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RELIABLE");
    assertThatThrownBy(() -> c.core(0).send("n1", "", new byte[1], Delivery.BEST_EFFORT, c.now))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> c.core(0).send("n0", "t", new byte[1], Delivery.BEST_EFFORT, c.now))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aReliablePayloadAboveTheBoundFailsTooLargeFromTheNextTick() {
    TestCluster c = cluster(2, GossipConfig.lan().toBuilder().maxUserPayloadBytes(1000).build());
    long id = c.core(0).send("n1", "big", new byte[1001], Delivery.RELIABLE, c.now);
    assertThat(inboxes.get(0).outcomes).isEmpty();
    assertThat(c.core(0).nextDeadline()).as("due at once").isEqualTo(c.now);
    c.runFor(1 * MS);
    assertThat(inboxes.get(0).outcomesOf(id))
        .containsExactly(new Inbox.Outcome(id, "failed", MessageFailure.TOO_LARGE));
    assertThat(inboxes.get(1).messages).isEmpty();
  }

  @Test
  void unknownAndDeadMembersFailWithoutSending() {
    TestCluster c = cluster(3);
    long unknown = c.core(0).send("nobody", "t", new byte[1], Delivery.BEST_EFFORT, c.now);
    assertThat(unknown).as("a best-effort failure gets an id too").isPositive();
    c.crash(2);
    c.runFor(30 * SEC);
    assertThat(c.core(0).statusOf("n2")).isIn(NodeStatus.FAILED);
    long dead = c.core(0).send("n2", "t", new byte[1], Delivery.RELIABLE, c.now);
    long req = c.core(0).request("n2", "t", new byte[1], Duration.ofSeconds(1), c.now);
    c.runFor(1 * MS);
    assertThat(inboxes.get(0).outcomesOf(unknown))
        .containsExactly(new Inbox.Outcome(unknown, "failed", MessageFailure.UNKNOWN_MEMBER));
    assertThat(inboxes.get(0).outcomesOf(dead))
        .containsExactly(new Inbox.Outcome(dead, "failed", MessageFailure.MEMBER_NOT_LIVE));
    assertThat(inboxes.get(0).outcomesOf(req))
        .containsExactly(new Inbox.Outcome(req, "failed", MessageFailure.MEMBER_NOT_LIVE));
  }

  @Test
  void aReliableMessageToACrashedMemberTimesOutOrFailsWhenItIsDeclaredDead() {
    TestCluster c =
        cluster(4, GossipConfig.lan().toBuilder().messageTimeout(Duration.ofMillis(500)).build());
    c.crash(3);
    long id = c.core(0).send("n3", "t", new byte[10], Delivery.RELIABLE, c.now);
    long next = c.core(0).nextDeadline();
    assertThat(next - c.now).isLessThanOrEqualTo(500 * MS);
    c.runFor(600 * MS);
    assertThat(inboxes.get(0).outcomesOf(id))
        .containsExactly(new Inbox.Outcome(id, "failed", MessageFailure.TIMEOUT));

    long waiting = c.core(1).request("n3", "t", new byte[1], Duration.ofMinutes(10), c.now);
    c.runFor(60 * SEC);
    assertThat(inboxes.get(1).outcomesOf(waiting))
        .as("no longer waited for once declared dead")
        .containsExactly(new Inbox.Outcome(waiting, "failed", MessageFailure.MEMBER_NOT_LIVE));
  }

  @Test
  void aRequestIsAnsweredOnceAndALateOrForeignResponseIsACountedDrop() {
    TestCluster c = cluster(3);
    long id = c.core(0).request("n1", "who", bytes("shard 7?"), Duration.ofSeconds(2), c.now);
    c.runFor(50 * MS);
    DirectMessage m = inboxes.get(1).messages.get(0);
    assertThat(m.requestId()).isEqualTo(id);
    assertThat(m.isRequest()).isTrue();
    // n2 answers a request it never got: not from the member asked
    c.core(2).respond("n0", id, bytes("forged"), c.now);
    c.runFor(50 * MS);
    assertThat(c.core(0).drops(DropReason.UNEXPECTED_REPLY)).isEqualTo(1);
    c.core(1).respond("n0", m.requestId(), bytes("me"), c.now);
    c.runFor(50 * MS);
    assertThat(inboxes.get(0).outcomesOf(id))
        .containsExactly(new Inbox.Outcome(id, "response", "me"));
    c.core(1).respond("n0", m.requestId(), bytes("again"), c.now);
    c.runFor(50 * MS);
    assertThat(inboxes.get(0).outcomesOf(id)).hasSize(1);
    assertThat(c.core(0).drops(DropReason.UNEXPECTED_REPLY)).isEqualTo(2);
  }

  @Test
  void aRejectedRequestFailsRejectedAndAnUnansweredOneTimesOut() {
    TestCluster c = cluster(3);
    long rejected = c.core(0).request("n1", "t", new byte[1], Duration.ofSeconds(2), c.now);
    long ignored = c.core(0).request("n2", "t", new byte[1], Duration.ofSeconds(2), c.now);
    c.runFor(50 * MS);
    c.core(1).reject("n0", rejected, c.now);
    c.runFor(3 * SEC);
    assertThat(inboxes.get(0).outcomesOf(rejected))
        .containsExactly(new Inbox.Outcome(rejected, "failed", MessageFailure.REJECTED));
    assertThat(inboxes.get(0).outcomesOf(ignored))
        .containsExactly(new Inbox.Outcome(ignored, "failed", MessageFailure.TIMEOUT));
  }

  @Test
  void aLargeRequestAndItsLargeResponseGoOverTheReliablePath() {
    TestCluster c = cluster(2);
    c.recordSends = true;
    long id = c.core(0).request("n1", "bulk", new byte[100_000], Duration.ofSeconds(2), c.now);
    c.runFor(50 * MS);
    c.core(1).respond("n0", id, new byte[200_000], c.now);
    c.runFor(50 * MS);
    assertThat(c.sends)
        .filteredOn(s -> s.message() instanceof UserMessage)
        .extracting(TestCluster.Sent::delivery)
        .containsExactly(Delivery.RELIABLE, Delivery.RELIABLE);
    assertThat(inboxes.get(0).outcomesOf(id)).hasSize(1);
    assertThat(inboxes.get(0).outcomesOf(id).get(0).what()).isEqualTo("response");
  }

  @Test
  void cancelReportsTheRuntimesFailureOnceAndALaterReceiptIsACountedDrop() {
    TestCluster c = cluster(2);
    long id = c.core(0).send("n1", "t", new byte[1], Delivery.RELIABLE, c.now);
    c.core(0).cancel(id, MessageFailure.SEND_FAILED, c.now);
    c.core(0).cancel(id, MessageFailure.SEND_FAILED, c.now);
    assertThat(inboxes.get(0).outcomesOf(id))
        .containsExactly(new Inbox.Outcome(id, "failed", MessageFailure.SEND_FAILED));
    c.runFor(100 * MS);
    assertThat(inboxes.get(0).outcomesOf(id)).hasSize(1);
    assertThat(c.core(0).drops(DropReason.UNEXPECTED_REPLY)).isEqualTo(1);
    c.core(0).cancel(12345, MessageFailure.SEND_FAILED, c.now); // unknown: ignored
    assertThat(inboxes.get(0).outcomes).hasSize(1);
  }

  @Test
  void aPeerThatSpeaksOnlyOlderVersionsGetsNoUserDataAndTheSendFailsUnsupported() {
    TestCluster c = cluster(3);
    c.core(0).table.get("n1").wireVersions = new WireVersions(2, 3);
    long id = c.core(0).send("n1", "t", new byte[1], Delivery.RELIABLE, c.now);
    long be = c.core(0).send("n1", "t", new byte[1], Delivery.BEST_EFFORT, c.now);
    c.runFor(50 * MS);
    assertThat(inboxes.get(1).messages).isEmpty();
    assertThat(inboxes.get(0).outcomesOf(id))
        .containsExactly(new Inbox.Outcome(id, "failed", MessageFailure.UNSUPPORTED_BY_PEER));
    assertThat(inboxes.get(0).outcomesOf(be))
        .containsExactly(new Inbox.Outcome(be, "failed", MessageFailure.UNSUPPORTED_BY_PEER));
    assertThat(c.core(0).drops(DropReason.PEER_TOO_OLD)).isEqualTo(2);
    // a known range that reaches 4: sent at 4
    c.core(0).table.get("n1").wireVersions = new WireVersions(3, 9);
    assertThat(c.core(0).wire.userVersion(c.core(0).table.get("n1").view())).isEqualTo(4);
  }

  @Test
  void leavingFailsEverythingPendingWithShutdownAndRefusesNewSends() {
    TestCluster c = cluster(3);
    c.crash(2);
    long send = c.core(0).send("n2", "t", new byte[1], Delivery.RELIABLE, c.now);
    long req = c.core(0).request("n2", "t", new byte[1], Duration.ofSeconds(30), c.now);
    long query = c.core(0).query("q", new byte[1], QueryOptions.defaults(), c.now);
    c.core(0).leave(c.now);
    assertThat(inboxes.get(0).outcomes)
        .containsExactly(
            new Inbox.Outcome(send, "failed", MessageFailure.SHUTDOWN),
            new Inbox.Outcome(req, "failed", MessageFailure.SHUTDOWN),
            new Inbox.Outcome(query, "failed", MessageFailure.SHUTDOWN));
    assertThat(c.core(0).pendingOutcomes()).isZero();
    assertThatThrownBy(() -> c.core(0).send("n1", "t", new byte[1], Delivery.RELIABLE, c.now))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> c.core(0).query("q", new byte[1], QueryOptions.defaults(), c.now))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void resetFailsEverythingPendingWithShutdown() {
    TestCluster c = cluster(2);
    long send = c.core(0).send("n1", "t", new byte[1], Delivery.RELIABLE, c.now);
    c.core(0).reset(c.now);
    assertThat(inboxes.get(0).outcomesOf(send))
        .containsExactly(new Inbox.Outcome(send, "failed", MessageFailure.SHUTDOWN));
  }

  @Test
  void thePendingTableIsBounded() {
    TestCluster c = cluster(2, GossipConfig.lan().toBuilder().maxPendingRequests(2).build());
    c.core(0).send("n1", "t", new byte[1], Delivery.RELIABLE, c.now);
    c.core(0).request("n1", "t", new byte[1], Duration.ofSeconds(1), c.now);
    assertThatThrownBy(() -> c.core(0).send("n1", "t", new byte[1], Delivery.RELIABLE, c.now))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxPendingRequests");
    c.runFor(2 * SEC);
    assertThat(c.core(0).pendingOutcomes()).isZero();
    c.core(0).send("n1", "t", new byte[1], Delivery.RELIABLE, c.now); // room again
  }

  @Test
  void aThrowingHandlerIsCountedAndTheCoreCarriesOn() {
    TestCluster c = cluster(2);
    inboxes.get(1).throwing = true;
    long id = c.core(0).send("n1", "t", new byte[1], Delivery.RELIABLE, c.now);
    c.runFor(100 * MS);
    assertThat(c.core(1).effects.handlerErrors()).isEqualTo(1);
    assertThat(inboxes.get(0).outcomesOf(id))
        .extracting(Inbox.Outcome::what)
        .containsExactly("delivered");
  }

  @Test
  void badArgumentsAreRefusedWithClearMessages() {
    TestCluster c = cluster(2);
    GossipCore core = c.core(0);
    assertThatThrownBy(() -> core.request("n1", "t", new byte[1], Duration.ZERO, c.now))
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> core.respond("n1", 0, new byte[1], c.now))
        .hasMessageContaining("requestId");
    assertThatThrownBy(() -> core.send("n1", "x".repeat(65), new byte[1], Delivery.RELIABLE, c.now))
        .hasMessageContaining("64");
    assertThatThrownBy(
            () ->
                core.respond(
                    "n1", 5, new byte[GossipConfig.lan().maxUserPayloadBytes() + 1], c.now))
        .hasMessageContaining("maxUserPayloadBytes");
  }
}
