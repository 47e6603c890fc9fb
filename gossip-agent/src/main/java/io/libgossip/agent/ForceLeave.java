package io.libgossip.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.net.GossipNode;
import java.util.concurrent.CompletableFuture;

/** {@code POST /v1/force-leave/{id}}: marks a failed member as left. */
final class ForceLeave {
  private ForceLeave() {}

  /** Completes with {@code {"id":…,"status":"LEFT"}}, or fails with the API's error. */
  static CompletableFuture<ObjectNode> run(GossipNode node, String id) {
    return CompletableFuture.failedFuture(
        ApiException.unavailable(
            "force-leave is not available in this build of the agent yet (member " + id + ")"));
  }
}
