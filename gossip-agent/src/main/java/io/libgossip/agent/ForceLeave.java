package io.libgossip.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.NodeView;
import io.libgossip.net.GossipNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /v1/force-leave/{id}}: declares a {@code FAILED} member {@code LEFT} through {@code
 * GossipNode.forceLeave(String)}. That method is looked up when the class loads, so that the agent
 * builds against a gossip-net without it (the endpoint then answers 503).
 */
final class ForceLeave {
  private static final @Nullable Method FORCE_LEAVE = find();

  private ForceLeave() {}

  private static @Nullable Method find() {
    try {
      return GossipNode.class.getMethod("forceLeave", String.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** Whether this build's gossip-net has force-leave. */
  static boolean available() {
    return FORCE_LEAVE != null;
  }

  /** Completes with {@code {"id":…,"status":"LEFT"}}, or fails with the API's error. */
  static CompletableFuture<ObjectNode> run(GossipNode node, String id) {
    Method m = FORCE_LEAVE;
    if (m == null) {
      return CompletableFuture.failedFuture(
          ApiException.unavailable("this build of the agent has no force-leave"));
    }
    CompletableFuture<?> f;
    try {
      f = (CompletableFuture<?>) m.invoke(node, id);
    } catch (InvocationTargetException e) {
      return CompletableFuture.failedFuture(map(e.getCause(), id));
    } catch (IllegalAccessException | RuntimeException e) {
      return CompletableFuture.failedFuture(map(e, id));
    }
    return f.handle(
        (v, e) -> {
          if (e != null) {
            throw map(e, id);
          }
          NodeView n = (NodeView) v;
          ObjectNode o = Json.object();
          o.put("id", n.id());
          o.put("status", n.status().name());
          return o;
        });
  }

  private static ApiException map(@Nullable Throwable e, String id) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (c instanceof NoSuchElementException) {
      return ApiException.notFound("no member '" + id + "' is known");
    }
    if (c instanceof IllegalStateException) {
      return ApiException.conflict(
          "conflict",
          "cannot force '"
              + id
              + "' to leave: "
              + c.getMessage()
              + " (only a FAILED member can be forced out)");
    }
    return new ApiException(
        HttpResponseStatus.INTERNAL_SERVER_ERROR,
        "internal",
        "force-leave failed: " + c + " (see the agent's log)");
  }
}
