package io.libgossip.serf;

/**
 * A member's status as Serf's layer tracks it: memberlist says whether a member is up or gone,
 * Serf's leave intents say whether a gone member left or failed.
 */
public enum SerfMemberStatus {
  /** Up, no newer leave intent. */
  ALIVE,
  /** Up, but it announced that it is leaving (a leave intent newer than its last join). */
  LEAVING,
  /** Gone after a leave intent: a graceful leave. */
  LEFT,
  /** Gone without a leave intent: a failure. */
  FAILED
}
