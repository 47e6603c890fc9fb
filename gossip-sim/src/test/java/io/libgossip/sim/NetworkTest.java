package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NetworkTest {

  private static BitSet bits(int... v) {
    BitSet b = new BitSet();
    for (int i : v) {
      b.set(i);
    }
    return b;
  }

  private static Network net(long seed, double loss, long jitter) {
    return new Network(new SplittableRandom(seed), loss, LinkLatency.constant(1000), jitter, 2);
  }

  @Test
  void twoWayPartitionCutsBothDirectionsOnly() {
    Network n = net(1, 0, 0);
    n.addCut(new Network.Cut(bits(0, 1), bits(2, 3), true));
    assertThat(n.cut(0, 2)).isTrue();
    assertThat(n.cut(3, 1)).isTrue();
    assertThat(n.cut(0, 1)).isFalse();
    assertThat(n.cut(2, 3)).isFalse();
    assertThat(n.cut(4, 0)).isFalse();
    assertThat(n.partitioned()).isTrue();
    n.clearCuts();
    assertThat(n.cut(0, 2)).isFalse();
    assertThat(n.partitioned()).isFalse();
  }

  @Test
  void oneWayPartitionCutsOnlyFromAToB() {
    Network n = net(1, 0, 0);
    n.addCut(new Network.Cut(bits(0), bits(1), false));
    assertThat(n.cut(0, 1)).isTrue();
    assertThat(n.cut(1, 0)).isFalse();
  }

  @Test
  void lossIsDeterministicPerSeedAndCloseToTheRate() {
    Network a = net(7, 0.1, 0);
    Network b = net(7, 0.1, 0);
    Network c = net(8, 0.1, 0);
    int lostA = 0;
    boolean differs = false;
    for (int i = 0; i < 100_000; i++) {
      boolean la = a.lose();
      assertThat(b.lose()).isEqualTo(la);
      differs |= c.lose() != la;
      if (la) {
        lostA++;
      }
    }
    assertThat(lostA).isBetween(9_000, 11_000);
    assertThat(differs).isTrue();
  }

  @Test
  void noLossNeverLoses() {
    Network n = net(3, 0, 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(n.lose()).isFalse();
    }
  }

  @Test
  void delaysAreLatencyPlusBoundedJitterAndReliableIsSlower() {
    Network n = net(5, 0, 500);
    for (int i = 0; i < 10_000; i++) {
      assertThat(n.bestEffortDelay(0, 1)).isBetween(1000L, 1500L);
      assertThat(n.reliableDelay(0, 1)).isBetween(2000L, 2500L);
    }
  }

  @Test
  void negativeLatencyIsRejected() {
    assertThatThrownBy(() -> LinkLatency.constant(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
