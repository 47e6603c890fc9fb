package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The core tells its {@link ProtocolObserver} the timings of probes, suspicions and exchanges. */
class ProtocolObserverTest {

  /** What the observer was told, in order. */
  private static final class Recording implements ProtocolObserver {
    final List<Long> rtts = new ArrayList<>();
    final List<Long> suspicionNanos = new ArrayList<>();
    final List<NodeStatus> outcomes = new ArrayList<>();
    final List<Long> exchanges = new ArrayList<>();

    @Override
    public void probeAcked(long rttNanos) {
      rtts.add(rttNanos);
    }

    @Override
    public void suspicionEnded(long nanos, NodeStatus outcome) {
      suspicionNanos.add(nanos);
      outcomes.add(outcome);
    }

    @Override
    public void pushPullCompleted(long nanos) {
      exchanges.add(nanos);
    }
  }

  private static CoreFixture observed(Recording r, String... peers) {
    CoreFixture f = CoreFixture.withPeers(peers);
    f.core.observer(r);
    return f;
  }

  @Test
  void answeredProbeReportsItsRoundTripTime() {
    Recording r = new Recording();
    CoreFixture f = observed(r, "a");
    f.autoAck = false;
    Sent sent = f.nextPing();
    Ping ping = (Ping) sent.message();

    f.now += 7 * MS;
    f.receive(new Ack(ping.target(), addr(ping.target()), ping.seq(), List.of()));
    f.receive(new Ack(ping.target(), addr(ping.target()), ping.seq(), List.of()));

    assertThat(r.rtts)
        .as("one report per probe, from its ping to its first ack")
        .containsExactly(7 * MS);
  }

  @Test
  void timedOutSuspicionReportsTheTimeFromSuspicionToFailure() {
    Recording r = new Recording();
    CoreFixture f = observed(r, "a", "b", "c");
    f.silent.add("a");

    f.advance(60 * SEC);

    assertThat(f.status("a")).isEqualTo(NodeStatus.FAILED);
    assertThat(r.outcomes).containsExactly(NodeStatus.FAILED);
    long interval = f.config.probeInterval().toNanos();
    int live = 4; // self, a, b, c when a was suspected
    long min = ProtocolMath.suspicionMinNanos(f.config.suspicionMult(), live, interval);
    long max =
        ProtocolMath.suspicionMaxNanos(
            f.config.suspicionMult(), f.config.suspicionMaxTimeoutMult(), live, interval);
    int k = ProtocolMath.suspicionConfirmationsNeeded(f.config.suspicionMult(), live);
    assertThat(r.suspicionNanos)
        .as("nobody confirmed: the full suspicion timeout")
        .containsExactly(ProtocolMath.suspicionTimeoutNanos(min, max, k, 0));
  }

  @Test
  void refutedSuspicionReportsOnlineAndItsDuration() {
    Recording r = new Recording();
    CoreFixture f = observed(r, "a", "b");
    f.gossip("b", suspect("a", 0, "b"));
    f.now += 250 * MS;

    f.gossip("a", online("a", 1));

    assertThat(r.outcomes).containsExactly(NodeStatus.ONLINE);
    assertThat(r.suspicionNanos).containsExactly(250 * MS);
  }

  @Test
  void answeredPeriodicExchangeReportsItsDuration() {
    Recording r = new Recording();
    CoreFixture f = observed(r, "a");
    f.receive(new PushPull("a", addr("a"), false, true, List.of(online("a", 0))));
    Sent request =
        f.runUntilSent(s -> s.message() instanceof PushPull pp && !pp.reply(), 120 * SEC);
    String peer = request.target().id();

    f.now += 12 * MS;
    f.receive(new PushPull(peer, addr(peer), false, true, List.of(online(peer, 0))));
    f.receive(new PushPull(peer, addr(peer), false, true, List.of(online(peer, 0))));

    assertThat(r.exchanges).as("one report per exchange").containsExactly(12 * MS);
  }

  @Test
  void throwingObserverIsCountedAndChangesNothing() {
    CoreFixture plain = CoreFixture.withPeers("a", "b", "c");
    CoreFixture observed = CoreFixture.withPeers("a", "b", "c");
    observed.core.observer(
        new ProtocolObserver() {
          @Override
          public void probeAcked(long rttNanos) {
            throw new IllegalStateException("observer bug");
          }
        });
    for (CoreFixture f : List.of(plain, observed)) {
      f.silent.add("a");
      f.advance(60 * SEC);
    }

    assertThat(observed.core.stats().listenerErrors()).isPositive();
    assertThat(observed.outbox.all()).isEqualTo(plain.outbox.all());
    assertThat(observed.listener.events()).isEqualTo(plain.listener.events());
    assertThat(observed.status("a")).isEqualTo(NodeStatus.FAILED);
  }
}
