package io.libgossip.net;

import static io.libgossip.net.MessagingCluster.WAIT;
import static io.libgossip.net.MessagingCluster.bytes;
import static io.libgossip.net.MessagingCluster.text;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.AppState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Application state carried by push-pull between real nodes on loopback. */
class AppStateClusterTest {
  private final MessagingCluster cluster = new MessagingCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  /** A grow-only set of strings, encoded as lines: a CRDT that push-pull keeps convergent. */
  static final class GrowOnlySet implements AppState {
    final Set<String> items = Collections.synchronizedSet(new TreeSet<>());

    @Override
    public byte[] localState(boolean join) {
      synchronized (items) {
        return bytes(String.join("\n", items));
      }
    }

    @Override
    public void mergeRemoteState(String from, byte[] state, boolean join) {
      String s = text(state);
      if (!s.isEmpty()) {
        items.addAll(Arrays.asList(s.split("\n")));
      }
    }

    boolean holds(Set<String> all) {
      synchronized (items) {
        return items.equals(all);
      }
    }
  }

  @Test
  void applicationStateConvergesThroughPushPull() {
    List<GrowOnlySet> sets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      GrowOnlySet s = new GrowOnlySet();
      s.items.add("from-n" + i);
      sets.add(s);
      cluster.start("n" + i, b -> b.appState(s));
    }
    cluster.awaitOnline(3);
    sets.get(2).items.add("late-n2"); // after every join: only periodic push-pulls carry it
    Set<String> all = Set.of("from-n0", "from-n1", "from-n2", "late-n2");
    await("every node's state holds every item")
        .atMost(WAIT)
        .until(() -> sets.stream().allMatch(s -> s.holds(all)));
  }
}
