package io.libgossip.sim;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;

/**
 * One membership event observed in a simulation: at virtual time {@code timeNanos}, node {@code
 * observer}'s core reported {@code kind} about node {@code subject}, which it now sees as {@code
 * status}.
 *
 * @param timeNanos virtual time since the start of the simulation, in nanoseconds
 * @param observer index of the node whose listener got the event
 * @param subject index of the node the event is about
 * @param kind the event kind
 * @param status the subject's status in the observer's view after the event
 */
public record TraceEvent(
    long timeNanos, int observer, int subject, ClusterEvent.Kind kind, NodeStatus status) {}
