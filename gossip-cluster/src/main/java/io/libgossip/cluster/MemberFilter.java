package io.libgossip.cluster;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which members a utility of this module considers: by default the {@code ONLINE} ones ({@link
 * #online()}); {@link #live()} adds {@code SUSPECT} members; {@link #withMetadata} and {@link #and}
 * narrow either to members with some metadata (for instance {@code role=cache}). Immutable.
 */
public final class MemberFilter implements Predicate<NodeView> {
  private final boolean includeSuspects;
  private final Predicate<? super NodeView> extra;

  private MemberFilter(boolean includeSuspects, Predicate<? super NodeView> extra) {
    this.includeSuspects = includeSuspects;
    this.extra = extra;
  }

  /**
   * {@code ONLINE} members only, the default: a suspect is usually about to fail, and work sent to
   * it is likely lost.
   */
  public static MemberFilter online() {
    return new MemberFilter(false, m -> true);
  }

  /**
   * {@code ONLINE} and {@code SUSPECT} members: fewer reassignments while a suspicion is refuted,
   * at the cost of picking members that may be dead.
   */
  public static MemberFilter live() {
    return new MemberFilter(true, m -> true);
  }

  /** This filter, and only members whose metadata maps {@code key} to {@code value}. */
  public MemberFilter withMetadata(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return and(m -> value.equals(m.metadata().get(key)));
  }

  /** This filter, and only members with role {@code role} (metadata key {@link NodeView#ROLE}). */
  public MemberFilter withRole(String role) {
    return withMetadata(NodeView.ROLE, role);
  }

  /** This filter, and only members that {@code predicate} accepts. */
  @Override
  public MemberFilter and(Predicate<? super NodeView> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    Predicate<? super NodeView> before = extra;
    return new MemberFilter(includeSuspects, m -> before.test(m) && predicate.test(m));
  }

  /** Whether {@code SUSPECT} members pass. */
  public boolean includesSuspects() {
    return includeSuspects;
  }

  /** Whether {@code member} passes: its status, then the metadata conditions. */
  @Override
  public boolean test(NodeView member) {
    NodeStatus s = member.status();
    boolean statusOk = s == NodeStatus.ONLINE || (includeSuspects && s == NodeStatus.SUSPECT);
    return statusOk && extra.test(member);
  }
}
