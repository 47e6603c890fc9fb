package io.libgossip.sim;

/**
 * How the cluster noticed one crash.
 *
 * @param subject index of the crashed node
 * @param crashNanos virtual time of the crash
 * @param firstSuspectNanos delay from the crash until the first live node marked the subject {@code
 *     SUSPECT} (or {@code FAILED}, whichever came first), or -1 if none did
 * @param allFailedNanos delay from the crash until every node that was live at the crash and is
 *     still live marked the subject {@code FAILED}, or -1 if that never happened
 * @param restartedBeforeDetection whether the subject was restarted before every node marked it
 *     {@code FAILED}
 */
public record Detection(
    int subject,
    long crashNanos,
    long firstSuspectNanos,
    long allFailedNanos,
    boolean restartedBeforeDetection) {}
