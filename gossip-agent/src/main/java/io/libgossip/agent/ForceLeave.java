package io.libgossip.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.NodeView;
import io.libgossip.net.GossipNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /v1/force-leave/{id}}: declares a {@code FAILED} member {@code LEFT} through {@link
 * GossipNode#forceLeave(String)}.
 */
final class ForceLeave {
  private ForceLeave() {}

  /** Completes with {@code {"id":…,"status":"LEFT"}}, or fails with the API's error. */
  static CompletableFuture<ObjectNode> run(GossipNode node, String id) {
    return node.forceLeave(id)
        .handle(
            (NodeView n, @Nullable Throwable e) -> {
              if (e != null) {
                throw map(e, id);
              }
              ObjectNode o = Json.object();
              o.put("id", n.id());
              o.put("status", n.status().name());
              return o;
            });
  }

  private static ApiException map(Throwable e, String id) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (c instanceof NoSuchElementException) {
      return ApiException.notFound("no member '" + id + "' is known");
    }
    if (c instanceof IllegalStateException) {
      return ApiException.conflict(
          "conflict", "cannot force '" + id + "' to leave: " + c.getMessage());
    }
    return new ApiException(
        HttpResponseStatus.INTERNAL_SERVER_ERROR,
        "internal",
        "force-leave failed: " + c + " (see the agent's log)");
  }
}
