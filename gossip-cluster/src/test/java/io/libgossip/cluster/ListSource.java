package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.List;

/** A member source a test sets by hand. */
final class ListSource implements MemberSource {
  private volatile List<NodeView> members;

  ListSource(List<NodeView> members) {
    this.members = List.copyOf(members);
  }

  void set(List<NodeView> m) {
    members = List.copyOf(m);
  }

  @Override
  public List<NodeView> members() {
    return members;
  }

  @Override
  public void addChangeListener(Runnable listener) {}

  @Override
  public boolean removeChangeListener(Runnable listener) {
    return false;
  }
}
