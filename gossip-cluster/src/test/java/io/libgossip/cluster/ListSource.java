package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A member source a test sets by hand. With a clock, every member reads as heard from just now (its
 * {@code lastSeenNanos} is the clock's time), as in a healthy cluster.
 */
final class ListSource implements MemberSource {
  private final @Nullable LeaseClock clock;
  private volatile List<NodeView> members;

  ListSource(List<NodeView> members) {
    this(members, null);
  }

  ListSource(List<NodeView> members, @Nullable LeaseClock clock) {
    this.members = List.copyOf(members);
    this.clock = clock;
  }

  void set(List<NodeView> m) {
    members = List.copyOf(m);
  }

  @Override
  public List<NodeView> members() {
    if (clock == null) {
      return members;
    }
    long now = clock.nanoTime();
    return members.stream()
        .map(
            v ->
                new NodeView(
                    v.id(),
                    v.address(),
                    v.status(),
                    v.incarnation(),
                    v.metadata(),
                    v.metadataVersion(),
                    v.configEpoch(),
                    now,
                    v.lastChangeNanos()))
        .toList();
  }

  @Override
  public void addChangeListener(Runnable listener) {}

  @Override
  public boolean removeChangeListener(Runnable listener) {
    return false;
  }
}
