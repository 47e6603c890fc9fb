package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemberPickersTest {

  private static Map<String, Integer> counts(MemberPicker p, int n) {
    Map<String, Integer> c = new HashMap<>();
    for (int i = 0; i < n; i++) {
      c.merge(p.pick().orElseThrow().id(), 1, Integer::sum);
    }
    return c;
  }

  @Test
  void roundRobinVisitsEveryMemberInTurnAndSkipsSuspects() {
    MembershipTracker t = new MembershipTracker(Views.online(3));
    MemberPicker rr = MemberPickers.roundRobin(t, MemberFilter.online());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(rr.pick().orElseThrow().id());
    }
    assertThat(ids).containsExactly("node-0", "node-1", "node-2", "node-0", "node-1", "node-2");
    t.onEvent(
        new ClusterEvent.MemberSuspected(
            Views.member("node-1", NodeStatus.SUSPECT, Map.of()), "node-0"));
    assertThat(counts(rr, 100)).containsOnlyKeys("node-0", "node-2");
    MemberPicker all = MemberPickers.roundRobin(t, MemberFilter.live());
    assertThat(counts(all, 99)).containsOnlyKeys("node-0", "node-1", "node-2");
  }

  @Test
  void anEmptyClusterPicksNothing() {
    MembershipTracker t = new MembershipTracker();
    assertThat(MemberPickers.roundRobin(t, MemberFilter.online()).pick()).isEmpty();
    assertThat(MemberPickers.random(t, MemberFilter.online(), new SplittableRandom(1)).pick())
        .isEmpty();
    assertThat(
            MemberPickers.powerOfTwoChoices(t, MemberFilter.online(), new SplittableRandom(1))
                .pick())
        .isEmpty();
    t.update(Views.member("x", NodeStatus.FAILED, Map.of()));
    assertThat(MemberPickers.roundRobin(t, MemberFilter.live()).pick()).isEmpty();
  }

  @Test
  void randomIsUniformAndReproducibleWithASeed() {
    MembershipTracker t = new MembershipTracker(Views.online(4));
    Map<String, Integer> c =
        counts(MemberPickers.random(t, MemberFilter.online(), new SplittableRandom(3)), 40_000);
    assertThat(c).hasSize(4);
    assertThat(c.values()).allSatisfy(v -> assertThat(v).isBetween(9_500, 10_500));
    MemberPicker a = MemberPickers.random(t, MemberFilter.online(), new SplittableRandom(9));
    MemberPicker b = MemberPickers.random(t, MemberFilter.online(), new SplittableRandom(9));
    for (int i = 0; i < 100; i++) {
      assertThat(a.pick()).isEqualTo(b.pick());
    }
  }

  @Test
  void powerOfTwoChoicesPrefersLessLoadedMembers() {
    MembershipTracker t =
        new MembershipTracker(
            List.of(
                Views.online("a", Map.of(MemberPickers.LOAD_KEY, "0.1")),
                Views.online("b", Map.of(MemberPickers.LOAD_KEY, "0.5")),
                Views.online("c", Map.of(MemberPickers.LOAD_KEY, "9")),
                Views.online("d")));
    MemberPickers.LoadAwarePicker p =
        MemberPickers.powerOfTwoChoices(t, MemberFilter.online(), new SplittableRandom(11));
    int n = 60_000;
    Map<String, Integer> c = counts(p, n);
    // with 4 members, the i-th least loaded wins the pairs it is in with the more loaded ones:
    // 3/6, 2/6, 1/6 and (unknown load, last) 0/6 of the draws
    assertThat(c.get("a") / (double) n).isBetween(0.48, 0.52);
    assertThat(c.get("b") / (double) n).isBetween(0.313, 0.353);
    assertThat(c.get("c") / (double) n).isBetween(0.147, 0.187);
    assertThat(c).doesNotContainKey("d");
    assertThat(p.unparsableLoads()).isZero();
  }

  @Test
  void unreadableLoadsAreCountedAndRankAsUnknown() {
    MembershipTracker t =
        new MembershipTracker(
            List.of(
                Views.online("a", Map.of(MemberPickers.LOAD_KEY, "lots")),
                Views.online("b", Map.of(MemberPickers.LOAD_KEY, "-1")),
                Views.online("c", Map.of(MemberPickers.LOAD_KEY, "NaN")),
                Views.online("d", Map.of(MemberPickers.LOAD_KEY, " 3 "))));
    MemberPickers.LoadAwarePicker p =
        MemberPickers.powerOfTwoChoices(t, MemberFilter.online(), new SplittableRandom(5));
    assertThat(p.unparsableLoads()).isEqualTo(3);
    Map<String, Integer> c = counts(p, 6_000);
    // d, the only known load, wins every pair it is in: half the draws
    assertThat(c.get("d") / 6_000.0).isBetween(0.46, 0.54);
    assertThat(MemberPickers.LoadAwarePicker.load(t.members().get(0))).isEmpty();
    assertThat(MemberPickers.LoadAwarePicker.load(t.members().get(3))).contains(3.0);
  }

  @Test
  void aLoadChangeIsSeenByTheNextPick() {
    MembershipTracker t =
        new MembershipTracker(
            List.of(
                Views.online("a", Map.of(MemberPickers.LOAD_KEY, "1")),
                Views.online("b", Map.of(MemberPickers.LOAD_KEY, "2"))));
    MemberPicker p =
        MemberPickers.powerOfTwoChoices(t, MemberFilter.online(), new SplittableRandom(1));
    assertThat(counts(p, 100)).containsOnlyKeys("a");
    NodeView busy = Views.online("a", Map.of(MemberPickers.LOAD_KEY, "5"));
    t.onEvent(new ClusterEvent.MetadataChanged(busy, Map.of(MemberPickers.LOAD_KEY, "1")));
    assertThat(counts(p, 100)).containsOnlyKeys("b");
  }
}
