/**
 * A {@link io.libgossip.net.GossipNode} that takes part in a HashiCorp Serf (memberlist) gossip
 * pool: a transport that speaks memberlist's wire protocol to the node's core, and Serf's layer on
 * top of it (join and leave intents, tags, user events, queries, key rotation).
 */
@NullMarked
package io.libgossip.serf;

import org.jspecify.annotations.NullMarked;
