package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.List;
import java.util.Optional;

/**
 * Picks a member to send work to, among the live members of a {@link MemberSource} that pass a
 * {@link MemberFilter}; made by {@link MemberPickers}. Thread-safe; {@link #close()} stops it
 * following the source.
 */
public interface MemberPicker extends AutoCloseable {
  /** A member, or empty when no member passes the filter. */
  Optional<NodeView> pick();

  /** The members it picks from now, sorted by id. */
  List<NodeView> members();

  /** Stops following the source; it keeps picking from the last members it saw. */
  @Override
  void close();
}
