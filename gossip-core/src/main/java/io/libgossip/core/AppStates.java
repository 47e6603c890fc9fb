package io.libgossip.core;

import org.jspecify.annotations.Nullable;

/**
 * Application state in push-pull exchanges (memberlist's {@code LocalState} and {@code
 * MergeRemoteState}): every push-pull this node sends at wire version 4 or later, request or reply,
 * carries {@link AppState#localState}, and every state received is handed to {@link
 * AppState#mergeRemoteState} before the membership part of the exchange is applied, so that a reply
 * already carries the merged state. Both are bounded by {@link GossipConfig#maxAppStateBytes()}; a
 * larger state is left out or not merged, and counted.
 *
 * <p>{@code join} is true for the join request, for the reply to it, and for a reply received while
 * this node has not joined yet.
 */
final class AppStates {
  private static final byte[] NONE = new byte[0];

  private final @Nullable AppState app;
  private final Effects effects;
  private final int maxBytes;

  /** While a join request is answered: the reply is part of a join. */
  private boolean answeringJoin;

  /** The member whose reply to this node's second join exchange is part of a join. */
  private @Nullable String joinReplyFrom;

  AppStates(@Nullable AppState app, Effects effects, int maxBytes) {
    this.app = app;
    this.effects = effects;
    this.maxBytes = maxBytes;
  }

  /** {@code message} as it goes out at {@code version}: a push-pull gets the local state. */
  GossipMessage outgoing(GossipMessage message, int version) {
    AppState a = app;
    if (a == null
        || maxBytes == 0
        || version < BinarySerializer.USER_VERSION
        || !(message instanceof GossipMessage.PushPull p)) {
      return message;
    }
    boolean join = p.join() || (p.reply() && answeringJoin);
    byte[][] state = {NONE};
    effects.guarded(() -> state[0] = a.localState(join));
    byte[] s = state[0];
    if (s == null || s.length == 0) {
      return message;
    }
    if (s.length > maxBytes) {
      effects.drop(DropReason.APP_STATE_TOO_LARGE);
      return message;
    }
    return p.withAppState(s);
  }

  /**
   * Before a push-pull is applied: merges its state. {@code joining} is whether this node has not
   * joined yet (a reply then answers its join).
   */
  void receiving(GossipMessage.PushPull p, boolean joining) {
    answeringJoin = p.join() && !p.reply();
    AppState a = app;
    byte[] s = p.appState();
    if (a == null || s.length == 0) {
      return;
    }
    if (s.length > maxBytes) {
      effects.drop(DropReason.APP_STATE_TOO_LARGE);
      return;
    }
    boolean join = p.join() || (p.reply() && (joining || p.from().equals(joinReplyFrom)));
    if (p.reply() && p.from().equals(joinReplyFrom)) {
      joinReplyFrom = null;
    }
    effects.guarded(() -> a.mergeRemoteState(p.from(), s, join));
  }

  /** Whether this node exchanges application state at all, speaking {@code own}. */
  boolean active(WireVersions own) {
    return app != null && maxBytes > 0 && own.max() >= BinarySerializer.USER_VERSION;
  }

  /** This node sent {@code peer} a join request again to exchange application state. */
  void expectJoinReply(String peer) {
    joinReplyFrom = peer;
  }

  /** After a push-pull was applied. */
  void received() {
    answeringJoin = false;
  }
}
