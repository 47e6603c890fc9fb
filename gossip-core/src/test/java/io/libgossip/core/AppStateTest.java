package io.libgossip.core;

import static io.libgossip.core.TestCluster.SEC;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Application state in push-pull exchanges (see {@link AppState}). */
class AppStateTest {
  /** A grow-only set of strings (a CRDT), merged by union. */
  static final class GSet implements AppState {
    final Set<String> items = new TreeSet<>();
    final List<String> merges = new ArrayList<>();
    byte[] override;

    @Override
    public byte[] localState(boolean join) {
      return override != null ? override : String.join(",", items).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void mergeRemoteState(String from, byte[] state, boolean join) {
      merges.add(from + (join ? ":join" : ""));
      for (String s : new String(state, StandardCharsets.UTF_8).split(",")) {
        if (!s.isEmpty()) {
          items.add(s);
        }
      }
    }
  }

  private final List<GSet> states = new ArrayList<>();

  private TestCluster cluster(int n, GossipConfig config) {
    TestCluster c =
        new TestCluster(
            n,
            config,
            5,
            (i, b) -> {
              GSet s = new GSet();
              s.items.add("item-" + i);
              states.add(s);
              b.appState(s);
            });
    c.versioned = true; // nodes learn each other's versions, as over a real decoder
    return c;
  }

  @Test
  void aJoinCarriesTheStateBothWaysAsAJoinAndTheReplyCarriesTheMergedState() {
    TestCluster c = cluster(2, GossipConfig.lan());
    c.joinAll();
    c.runFor(100_000_000L);
    assertThat(states.get(0).merges).containsExactly("n1:join");
    assertThat(states.get(1).merges).containsExactly("n0:join");
    assertThat(states.get(0).items).containsExactly("item-0", "item-1");
    assertThat(states.get(1).items).containsExactly("item-0", "item-1");
  }

  @Test
  void periodicExchangesConvergeEveryNodesStateAndAreNotJoins() {
    TestCluster c = cluster(6, GossipConfig.local());
    c.joinAll();
    c.runFor(120 * SEC);
    for (GSet s : states) {
      assertThat(s.items).hasSize(6);
    }
    assertThat(states.get(3).merges).anyMatch(m -> !m.endsWith(":join"));
  }

  @Test
  void aStateAboveTheBoundIsLeftOutAndCountedAndAThrowingAppStateIsCounted() {
    TestCluster c = cluster(2, GossipConfig.lan().toBuilder().maxAppStateBytes(8).build());
    states.get(1).override = new byte[9];
    c.joinAll();
    c.runFor(100_000_000L);
    assertThat(c.core(1).drops(DropReason.APP_STATE_TOO_LARGE)).isEqualTo(1);
    assertThat(states.get(0).merges).isEmpty();
    assertThat(states.get(1).merges).containsExactly("n0:join");
    assertThat(c.core(0).statusOf("n1")).isEqualTo(NodeStatus.ONLINE);

    // a larger state received (from a peer with another bound) is not merged
    GossipMessage.PushPull big =
        new GossipMessage.PushPull(
            "n1", TestCluster.addr(1), false, false, List.of(), java.util.Map.of(), new byte[9]);
    c.core(0).handleMessage(big, c.now);
    assertThat(c.core(0).drops(DropReason.APP_STATE_TOO_LARGE)).isEqualTo(1);
    assertThat(states.get(0).merges).isEmpty();
  }

  @Test
  void aThrowingAppStateIsCountedAndTheExchangeGoesOn() {
    TestCluster c =
        new TestCluster(
            2,
            GossipConfig.lan(),
            5,
            (i, b) ->
                b.appState(
                    new AppState() {
                      @Override
                      public byte[] localState(boolean join) {
                        throw new IllegalStateException("boom");
                      }

                      @Override
                      public void mergeRemoteState(String from, byte[] state, boolean join) {
                        throw new IllegalStateException("boom");
                      }
                    }));
    c.versioned = true;
    c.joinAll();
    c.runFor(100_000_000L);
    assertThat(c.core(0).statusOf("n1")).isEqualTo(NodeStatus.ONLINE);
    assertThat(c.core(1).statusOf("n0")).isEqualTo(NodeStatus.ONLINE);
    assertThat(c.core(0).effects.handlerErrors()).isPositive();
  }

  @Test
  void withoutAppStateOrAtZeroBytesPushPullsCarryNone() {
    TestCluster c = cluster(2, GossipConfig.lan().toBuilder().maxAppStateBytes(0).build());
    c.recordSends = true;
    c.joinAll();
    c.runFor(100_000_000L);
    assertThat(c.sends)
        .filteredOn(s -> s.message() instanceof GossipMessage.PushPull)
        .isNotEmpty()
        .allMatch(s -> ((GossipMessage.PushPull) s.message()).appState().length == 0);
    assertThat(states.get(0).merges).isEmpty();
  }
}
