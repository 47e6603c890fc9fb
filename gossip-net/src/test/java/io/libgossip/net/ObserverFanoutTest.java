package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.ProtocolObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's observer list: calls reach every attached observer, a throwing one is counted. */
class ObserverFanoutTest {

  @Test
  void callsReachEachAttachedObserverUntilItIsRemoved() {
    ObserverFanout fanout = new ObserverFanout();
    List<String> seen = new ArrayList<>();
    ProtocolObserver first =
        new ProtocolObserver() {
          @Override
          public void probeAcked(long rttNanos) {
            seen.add("first " + rttNanos);
          }
        };
    ProtocolObserver second =
        new ProtocolObserver() {
          @Override
          public void suspicionEnded(long nanos, NodeStatus outcome) {
            seen.add("second " + nanos + " " + outcome);
          }

          @Override
          public void pushPullCompleted(long nanos) {
            seen.add("second exchange " + nanos);
          }
        };
    fanout.probeAcked(1); // nobody attached: nothing happens
    fanout.add(first);
    fanout.add(second);

    fanout.probeAcked(5);
    fanout.suspicionEnded(7, NodeStatus.FAILED);
    fanout.pushPullCompleted(9);
    assertThat(fanout.remove(first)).isTrue();
    assertThat(fanout.remove(first)).isFalse();
    fanout.probeAcked(11);

    assertThat(seen).containsExactly("first 5", "second 7 FAILED", "second exchange 9");
  }

  @Test
  void throwingObserverIsCountedAndTheOthersStillCalled() {
    ObserverFanout fanout = new ObserverFanout();
    List<Long> seen = new ArrayList<>();
    fanout.add(
        new ProtocolObserver() {
          @Override
          public void probeAcked(long rttNanos) {
            throw new IllegalStateException("observer bug");
          }
        });
    fanout.add(
        new ProtocolObserver() {
          @Override
          public void probeAcked(long rttNanos) {
            seen.add(rttNanos);
          }
        });

    fanout.probeAcked(3);
    fanout.probeAcked(4);

    assertThat(seen).containsExactly(3L, 4L);
    assertThat(fanout.failures()).isEqualTo(2);
  }
}
