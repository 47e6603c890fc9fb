package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * A value derived from the members of a {@link MemberSource} that pass a {@link MemberFilter},
 * recomputed when they change and read without a lock. Base of the live utilities.
 *
 * @param <T> the derived value
 */
abstract class LiveMembers<T> implements AutoCloseable {
  private final MemberSource source;
  private final MemberFilter filter;
  private final BiFunction<List<NodeView>, @Nullable Snapshot<T>, T> derive;
  private final Runnable onChange = this::refresh;
  private final Object lock = new Object();
  private volatile Snapshot<T> current;

  /** The filtered members and the value derived from them. */
  record Snapshot<T>(List<NodeView> members, T value) {}

  /**
   * @param derive the value of a member list, given the previous snapshot (null the first time),
   *     which it may reuse
   */
  LiveMembers(
      MemberSource source,
      MemberFilter filter,
      BiFunction<List<NodeView>, @Nullable Snapshot<T>, T> derive) {
    this.source = Objects.requireNonNull(source, "source");
    this.filter = Objects.requireNonNull(filter, "filter");
    this.derive = derive;
    List<NodeView> members = Members.filtered(source.members(), filter);
    this.current = new Snapshot<>(members, derive.apply(members, null));
    source.addChangeListener(onChange);
    refresh(); // a change between the first read and the registration
  }

  /** Recomputes the value if the filtered members changed. */
  final void refresh() {
    synchronized (lock) {
      List<NodeView> members = Members.filtered(source.members(), filter);
      if (!members.equals(current.members())) {
        current = new Snapshot<>(members, derive.apply(members, current));
      }
    }
  }

  final Snapshot<T> current() {
    return current;
  }

  /** The members that pass the filter now, sorted by id. */
  public final List<NodeView> members() {
    return current.members();
  }

  /** Stops following the source; the last value stays readable. */
  @Override
  public final void close() {
    source.removeChangeListener(onChange);
  }
}
