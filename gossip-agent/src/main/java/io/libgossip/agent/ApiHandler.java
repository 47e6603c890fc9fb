package io.libgossip.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.MessageFailure;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.net.GossipNode;
import io.libgossip.net.MessageException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes and answers the API's requests (see {@code docs/agent.md}). Runs on the HTTP server's one
 * event-loop thread; what waits (join, leave, reliable sends, queries) completes asynchronously.
 * Every request is counted by outcome: {@code ok} or its error code.
 */
@ChannelHandler.Sharable
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
  private static final String UI_ROOT = "io/libgossip/agent/ui/";
  private static final Pattern SAFE_PATH =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");
  private static final long AUTH_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Agent agent;
  private final GossipNode node;
  private final byte @Nullable [] tokenHash;
  private final AtomicLong lastAuthLog =
      new AtomicLong(System.nanoTime() - AUTH_LOG_INTERVAL_NANOS);
  private final AtomicLong unloggedAuthFailures = new AtomicLong();

  ApiHandler(Agent agent) {
    this.agent = agent;
    this.node = agent.node;
    String token = agent.config.httpToken();
    this.tokenHash = token == null ? null : sha256(token.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    EventHub.Subscriber s = ctx.channel().attr(SUBSCRIBER).get();
    if (s != null && ctx.channel().isWritable()) {
      s.resume();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      log.atDebug().setMessage("HTTP connection failed").setCause(cause).log();
    }
    ctx.close();
  }

  private static final io.netty.util.AttributeKey<EventHub.Subscriber> SUBSCRIBER =
      io.netty.util.AttributeKey.valueOf("libgossip.agent.subscriber");

  /** One request being answered. */
  private final class Call {
    final ChannelHandlerContext ctx;
    final FullHttpRequest req;
    final boolean keepAlive;
    final String path;
    final Map<String, List<String>> params;
    final byte[] body;

    Call(ChannelHandlerContext ctx, FullHttpRequest req) {
      this.ctx = ctx;
      this.req = req;
      this.keepAlive = HttpUtil.isKeepAlive(req);
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      this.path = q.path();
      this.params = q.parameters();
      this.body = ByteBufUtil.getBytes(req.content());
    }

    HttpMethod method() {
      return req.method();
    }

    Body json(String... allowed) {
      String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
      // curl -d sends application/x-www-form-urlencoded unless told otherwise: taken as JSON too
      String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
      if (type != null
          && !t.startsWith("application/json")
          && !t.startsWith("application/x-www-form-urlencoded")
          && body.length > 0) {
        throw new ApiException(
            HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be JSON (Content-Type: application/json), got '" + type + "'");
      }
      return Body.parse(body, Set.of(allowed));
    }

    void ok(JsonNode json) {
      send(HttpResponseStatus.OK, json);
    }

    void send(HttpResponseStatus status, JsonNode json) {
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(Json.bytes(json)));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
      finish(r, status.code() < 400 ? "ok" : json.path("code").asText("error"));
    }

    void error(ApiException e) {
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              e.status(),
              Unpooled.wrappedBuffer(
                  Json.bytes(Json.error(e.code(), String.valueOf(e.getMessage())))));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
      if (e.status().equals(HttpResponseStatus.METHOD_NOT_ALLOWED) && e.getCause() == null) {
        String allow = allowOf(path);
        if (allow != null) {
          r.headers().set(HttpHeaderNames.ALLOW, allow);
        }
      }
      if (e.status().equals(HttpResponseStatus.UNAUTHORIZED)) {
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"libgossip-agent\"");
      }
      finish(r, e.code());
    }

    void finish(FullHttpResponse r, String outcome) {
      agent.count(outcome);
      HttpUtil.setContentLength(r, r.content().readableBytes());
      r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      Channel ch = ctx.channel();
      if (keepAlive) {
        HttpUtil.setKeepAlive(r, true);
        ch.writeAndFlush(r).addListener(f -> ch.attr(HttpServer.BUSY).set(false));
      } else {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      }
    }

    /** Answers when {@code f} completes: its JSON, or the error {@code failure} maps it to. */
    void later(CompletableFuture<? extends JsonNode> f) {
      f.whenComplete(
          (json, e) -> {
            if (e == null) {
              ok(json);
            } else {
              Throwable c =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              error(c instanceof ApiException a ? a : internal(c));
            }
          });
    }

    String param(String name) {
      List<String> v = params.get(name);
      return v == null || v.isEmpty() ? "" : v.get(v.size() - 1);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    ctx.channel().attr(HttpServer.BUSY).set(true);
    if (!req.decoderResult().isSuccess()) {
      Throwable c = req.decoderResult().cause();
      String msg;
      HttpResponseStatus st = HttpResponseStatus.BAD_REQUEST;
      if (c instanceof TooLongHttpHeaderException) {
        st = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        msg = "the request headers are larger than 8 KiB";
      } else if (c instanceof TooLongHttpLineException || c instanceof TooLongFrameException) {
        st = HttpResponseStatus.REQUEST_URI_TOO_LONG;
        msg = "the request line is longer than 4 KiB";
      } else {
        msg = "malformed HTTP request: " + (c == null ? "?" : c.getMessage());
      }
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              st,
              Unpooled.wrappedBuffer(Json.bytes(Json.error("bad_request", msg))));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      HttpUtil.setContentLength(r, r.content().readableBytes());
      agent.count("bad_request");
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    Call call = new Call(ctx, req);
    try {
      authorize(call);
      route(call);
    } catch (ApiException e) {
      call.error(e);
    } catch (RuntimeException e) {
      call.error(internal(e));
    }
  }

  private ApiException internal(Throwable e) {
    if (e instanceof IllegalStateException && !node.isRunning()) {
      return ApiException.unavailable("the agent is shutting down");
    }
    log.atWarn().setMessage("request failed").setCause(e).log();
    return new ApiException(
        HttpResponseStatus.INTERNAL_SERVER_ERROR,
        "internal",
        "the agent failed to answer: " + e + " (see its log)");
  }

  // ============================================================ auth

  private void authorize(Call c) {
    byte[] want = tokenHash;
    if (want == null) {
      return;
    }
    boolean read = c.method().equals(HttpMethod.GET) || c.method().equals(HttpMethod.HEAD);
    if (read
        && (c.path.equals("/health")
            || c.path.equals("/ready")
            || c.path.equals("/")
            || c.path.equals("/ui")
            || c.path.startsWith("/ui/"))) {
      // Liveness, readiness and the dashboard's static files carry no cluster data; a browser
      // loads the page's scripts without a header, and the page then sends the token itself.
      return;
    }
    String given = null;
    String h = c.req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      given = h.substring(7).trim();
    } else if (c.method().equals(HttpMethod.GET) && !c.param("token").isEmpty()) {
      given = c.param("token"); // browsers' EventSource and page loads cannot set a header
    }
    if (given != null
        && MessageDigest.isEqual(want, sha256(given.getBytes(StandardCharsets.UTF_8)))) {
      return;
    }
    long now = System.nanoTime();
    long last = lastAuthLog.get();
    if (now - last >= AUTH_LOG_INTERVAL_NANOS && lastAuthLog.compareAndSet(last, now)) {
      log.atWarn()
          .setMessage("refused an HTTP request without a valid token")
          .addKeyValue("from", c.ctx.channel().remoteAddress())
          .addKeyValue("path", c.path)
          .addKeyValue("refusedSinceLastLog", unloggedAuthFailures.getAndSet(0))
          .log();
    } else {
      unloggedAuthFailures.incrementAndGet();
    }
    throw new ApiException(
        HttpResponseStatus.UNAUTHORIZED,
        "unauthorized",
        given == null
            ? "this agent needs a token: send the header 'Authorization: Bearer TOKEN'"
            : "the token is not valid for this agent");
  }

  // ============================================================ routing

  private static @Nullable String allowOf(String path) {
    switch (path) {
      case "/health":
      case "/ready":
      case "/v1/members":
      case "/v1/self":
      case "/v1/stats":
      case "/v1/events":
      case "/metrics":
      case "/v1/keys":
        return "GET";
      case "/v1/metadata":
        return "GET, PUT";
      case "/v1/join":
      case "/v1/leave":
      case "/v1/broadcast":
      case "/v1/send":
      case "/v1/query":
      case "/v1/respond":
      case "/v1/keys/install":
      case "/v1/keys/use":
      case "/v1/keys/remove":
        return "POST";
      default:
        if (path.startsWith("/v1/metadata/")) {
          return "DELETE";
        }
        if (path.startsWith("/v1/force-leave/")) {
          return "POST";
        }
        if (path.equals("/") || path.equals("/ui") || path.startsWith("/ui/")) {
          return "GET, HEAD";
        }
        return null;
    }
  }

  private void route(Call c) {
    String allow = allowOf(c.path);
    if (allow == null) {
      throw ApiException.notFound("no such endpoint: " + c.path + " (see docs/agent.md)");
    }
    String m = c.method().name();
    if (!List.of(allow.split(", ", -1)).contains(m)) {
      throw new ApiException(
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          "method_not_allowed",
          m + " is not allowed on " + c.path + "; use " + allow);
    }
    switch (c.path) {
      case "/health":
        c.ok(Json.object().put("status", "ok"));
        return;
      case "/ready":
        ready(c);
        return;
      case "/v1/members":
        members(c);
        return;
      case "/v1/self":
        c.json();
        c.ok(Json.member(node.self(), node.id()));
        return;
      case "/v1/metadata":
        if (m.equals("GET")) {
          c.ok(Json.object().set("metadata", Json.stringMap(node.self().metadata())));
        } else {
          putMetadata(c);
        }
        return;
      case "/v1/join":
        join(c);
        return;
      case "/v1/leave":
        leave(c);
        return;
      case "/v1/broadcast":
        broadcast(c);
        return;
      case "/v1/send":
        send(c);
        return;
      case "/v1/query":
        query(c);
        return;
      case "/v1/respond":
        respond(c);
        return;
      case "/v1/stats":
        c.ok(stats());
        return;
      case "/v1/events":
        events(c);
        return;
      case "/metrics":
        metrics(c);
        return;
      case "/v1/keys":
        c.later(agent.keys.run("list", null));
        return;
      case "/v1/keys/install":
      case "/v1/keys/use":
      case "/v1/keys/remove":
        {
          String key = c.json("key").string("key");
          c.later(agent.keys.run(KeyService.opName(c.path), key));
          return;
        }
      default:
        break;
    }
    if (c.path.startsWith("/v1/metadata/")) {
      deleteMetadata(c, c.path.substring("/v1/metadata/".length()));
    } else if (c.path.startsWith("/v1/force-leave/")) {
      forceLeave(c, c.path.substring("/v1/force-leave/".length()));
    } else {
      staticFile(c);
    }
  }

  // ============================================================ endpoints

  private void ready(Call c) {
    CompletableFuture<Void> j = node.joinFuture();
    boolean joined = j.isDone() && !j.isCompletedExceptionally() && node.isRunning();
    long live = node.members().stream().filter(n -> n.status().isAlive()).count();
    if (!joined) {
      throw new ApiException(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "not_ready",
          node.isRunning()
              ? "the agent has not joined its cluster yet (" + live + " live members known)"
              : "the agent is shutting down");
    }
    c.ok(Json.object().put("ready", true).put("members", live));
  }

  private void members(Call c) {
    Set<NodeStatus> statuses = EnumSet.noneOf(NodeStatus.class);
    Map<String, Pattern> meta = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : c.params.entrySet()) {
      String k = e.getKey();
      if (k.equals("status")) {
        for (String v : e.getValue()) {
          for (String s : v.split(",", -1)) {
            if (s.isBlank()) {
              continue;
            }
            try {
              statuses.add(NodeStatus.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException ex) {
              throw ApiException.badRequest(
                  "status: unknown status '" + s + "' (expected ONLINE, SUSPECT, FAILED or LEFT)");
            }
          }
        }
      } else if (k.startsWith("meta.") && k.length() > 5) {
        for (String v : e.getValue()) {
          try {
            meta.put(k.substring(5), Pattern.compile(v));
          } catch (PatternSyntaxException ex) {
            throw ApiException.badRequest(
                k + ": not a valid regular expression: " + ex.getDescription());
          }
        }
      } else if (!k.equals("token")) {
        throw ApiException.badRequest(
            "unknown query parameter '" + k + "' (expected status or meta.KEY)");
      }
    }
    List<NodeView> all = new ArrayList<>(node.members());
    all.sort(Comparator.comparing(NodeView::id));
    String self = node.id();
    com.fasterxml.jackson.databind.node.ArrayNode out = Json.array();
    for (NodeView n : all) {
      if (!statuses.isEmpty() && !statuses.contains(n.status())) {
        continue;
      }
      boolean match = true;
      for (Map.Entry<String, Pattern> p : meta.entrySet()) {
        String v = n.metadata().get(p.getKey());
        if (v == null || !p.getValue().matcher(v).matches()) {
          match = false;
          break;
        }
      }
      if (match) {
        out.add(Json.member(n, self));
      }
    }
    c.ok(Json.object().set("members", out));
  }

  private void putMetadata(Call c) {
    Map<String, String> add = c.json("metadata").stringMap("metadata");
    Map<String, String> merged = new LinkedHashMap<>(node.self().metadata());
    merged.putAll(add);
    updateMetadata(merged);
    c.ok(Json.member(node.self(), node.id()));
  }

  private void deleteMetadata(Call c, String rawKey) {
    String key = QueryStringDecoder.decodeComponent(rawKey);
    Map<String, String> merged = new LinkedHashMap<>(node.self().metadata());
    if (merged.remove(key) == null) {
      throw ApiException.notFound("this agent has no metadata key '" + key + "'");
    }
    updateMetadata(merged);
    c.ok(Json.member(node.self(), node.id()));
  }

  private void updateMetadata(Map<String, String> md) {
    io.libgossip.core.MetadataLimits.problem(md)
        .ifPresent(
            p -> {
              throw ApiException.badRequest(p);
            });
    try {
      node.updateMetadata(md);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(String.valueOf(e.getMessage()));
    } catch (IllegalStateException e) {
      throw ApiException.unavailable("the agent is leaving or closed: " + e.getMessage());
    }
  }

  private void join(Call c) {
    List<String> seeds = c.json("seeds").stringList("seeds");
    if (seeds.isEmpty()) {
      throw ApiException.badRequest("field 'seeds' needs at least one HOST:PORT");
    }
    List<NodeAddress> addrs = new ArrayList<>();
    for (String s : seeds) {
      try {
        addrs.add(NodeAddress.parse(s.trim(), GossipNode.DEFAULT_PORT));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("seed '" + s + "': " + e.getMessage());
      }
    }
    CompletableFuture<ObjectNode> f =
        node.join(addrs)
            .handle(
                (v, e) -> {
                  if (e != null) {
                    Throwable x =
                        e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    throw new ApiException(
                        HttpResponseStatus.BAD_GATEWAY,
                        "join_failed",
                        String.valueOf(x.getMessage()));
                  }
                  long live = node.members().stream().filter(n -> n.status().isAlive()).count();
                  return Json.object().put("joined", true).put("members", live);
                });
    c.later(f);
  }

  private void leave(Call c) {
    long ms =
        c.json("timeout_ms")
            .longValue("timeout_ms", agent.config.leaveTimeout().toMillis(), 0, 60_000);
    agent
        .leave(Duration.ofMillis(ms))
        .whenComplete(
            (v, e) -> {
              FullHttpResponse r =
                  new DefaultFullHttpResponse(
                      HttpVersion.HTTP_1_1,
                      HttpResponseStatus.OK,
                      Unpooled.wrappedBuffer(Json.bytes(Json.object().put("left", true))));
              r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
              r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
              HttpUtil.setContentLength(r, r.content().readableBytes());
              agent.count("ok");
              c.ctx
                  .writeAndFlush(r)
                  .addListener(ChannelFutureListener.CLOSE)
                  .addListener(f -> new Thread(agent::terminate, "gossip-agent-stop").start());
            });
  }

  private void forceLeave(Call c, String rawId) {
    c.json();
    String id = QueryStringDecoder.decodeComponent(rawId);
    CompletableFuture<ObjectNode> f = ForceLeave.run(node, id);
    c.later(f);
  }

  private void broadcast(Call c) {
    Body b = c.json("topic", "payload", "payload_base64", "key");
    String topic = b.string("topic");
    String key = b.optString("key");
    byte[] payload = b.payload();
    int max = node.config().maxBroadcastBytes();
    if (payload.length > max) {
      throw new ApiException(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "payload_too_large",
          "the payload is " + payload.length + " bytes; a broadcast carries at most " + max);
    }
    long seq;
    try {
      seq = node.broadcast(topic, payload, key);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(String.valueOf(e.getMessage()));
    } catch (IllegalStateException e) {
      throw ApiException.unavailable("the agent is leaving or closed: " + e.getMessage());
    }
    c.ok(Json.object().put("seq", seq));
  }

  private void send(Call c) {
    Body b = c.json("to", "topic", "payload", "payload_base64", "reliable");
    String to = b.string("to");
    String topic = b.string("topic");
    byte[] payload = b.payload();
    boolean reliable = b.bool("reliable", false);
    CompletableFuture<Void> f;
    try {
      f = reliable ? node.sendReliable(to, topic, payload) : node.send(to, topic, payload);
    } catch (IllegalArgumentException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("packet") || msg.contains("large") || msg.contains("bytes")) {
        throw new ApiException(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            msg + (reliable ? "" : " (\"reliable\":true carries more)"));
      }
      throw ApiException.badRequest(msg);
    }
    c.later(
        f.handle(
            (v, e) -> {
              if (e != null) {
                throw messageError(e, to);
              }
              return Json.object().put("sent", true);
            }));
  }

  private static ApiException messageError(Throwable e, String to) {
    Throwable x = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (x instanceof MessageException me) {
      MessageFailure f = me.failure();
      String msg = String.valueOf(me.getMessage());
      switch (f) {
        case UNKNOWN_MEMBER:
          return ApiException.notFound("no member '" + to + "' is known: " + msg);
        case TOO_LARGE:
          return new ApiException(
              HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", msg);
        case TIMEOUT:
          return new ApiException(HttpResponseStatus.GATEWAY_TIMEOUT, "timeout", msg);
        case SHUTDOWN:
          return ApiException.unavailable("the agent is shutting down");
        default:
          return new ApiException(
              HttpResponseStatus.BAD_GATEWAY,
              "send_failed",
              f.name().toLowerCase(Locale.ROOT) + ": " + msg);
      }
    }
    return new ApiException(
        HttpResponseStatus.BAD_GATEWAY, "send_failed", String.valueOf(x.getMessage()));
  }

  /** The NDJSON lines of one query, written in order once the response headers are out. */
  private static final class QueryStream {
    private final Channel ch;
    private final List<String> early = new ArrayList<>();
    private boolean started;

    QueryStream(Channel ch) {
      this.ch = ch;
    }

    synchronized void line(String json) {
      if (!started) {
        early.add(json);
      } else {
        ch.writeAndFlush(
            new DefaultHttpContent(Unpooled.copiedBuffer(json + "\n", StandardCharsets.UTF_8)));
      }
    }

    synchronized void start(HttpResponse head) {
      ch.write(head);
      started = true;
      for (String l : early) {
        ch.write(new DefaultHttpContent(Unpooled.copiedBuffer(l + "\n", StandardCharsets.UTF_8)));
      }
      early.clear();
      ch.flush();
    }

    synchronized void end(String json) {
      ch.write(new DefaultHttpContent(Unpooled.copiedBuffer(json + "\n", StandardCharsets.UTF_8)));
      ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }
  }

  private void query(Call c) {
    Body b = c.json("name", "payload", "payload_base64", "timeout_ms", "members", "meta", "ack");
    String name = b.string("name");
    if (name.startsWith(KeyService.PREFIX)) {
      throw ApiException.badRequest(
          "query names starting with '" + KeyService.PREFIX + "' are the agents' own");
    }
    byte[] payload = b.payload();
    QueryOptions.Builder ob = QueryOptions.builder();
    if (b.has("timeout_ms")) {
      ob.timeout(Duration.ofMillis(b.longValue("timeout_ms", 0, 1, 3_600_000)));
    }
    List<String> members = b.stringList("members");
    if (!members.isEmpty()) {
      ob.members(Set.copyOf(members));
    }
    for (Map.Entry<String, String> e : b.stringMap("meta").entrySet()) {
      try {
        ob.metadata(e.getKey(), e.getValue());
      } catch (IllegalArgumentException ex) {
        throw ApiException.badRequest("meta." + e.getKey() + ": " + ex.getMessage());
      }
    }
    ob.requestAck(b.bool("ack", false));
    QueryOptions opts;
    try {
      opts = ob.build();
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(String.valueOf(e.getMessage()));
    }
    QueryStream stream = new QueryStream(c.ctx.channel());
    CompletableFuture<QueryResult> f;
    try {
      f =
          node.query(
              name,
              payload,
              opts,
              (QueryResponse r) -> {
                ObjectNode o = Json.object();
                o.put("type", r.ack() ? "ack" : "response");
                o.put("from", r.from());
                if (!r.ack()) {
                  Json.payload(o, r.payload());
                }
                stream.line(Json.text(o));
              });
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(String.valueOf(e.getMessage()));
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setTransferEncodingChunked(head, true);
    if (!c.keepAlive) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    agent.count("ok");
    stream.start(head);
    f.whenComplete(
        (res, e) -> {
          ObjectNode done = Json.object();
          done.put("type", "done");
          if (res != null) {
            done.set("targeted", Json.sortedStrings(res.targeted()));
            done.set("acked", Json.sortedStrings(res.acked()));
            done.set("responded", Json.sortedStrings(res.responded()));
            done.set("departed", Json.sortedStrings(res.departed()));
            done.put("timed_out", res.timedOut());
          } else {
            done.put("error", String.valueOf(e.getMessage()));
          }
          stream.end(Json.text(done));
          Channel ch = c.ctx.channel();
          if (c.keepAlive) {
            ch.eventLoop().execute(() -> ch.attr(HttpServer.BUSY).set(false));
          } else {
            ch.eventLoop().execute(ch::close);
          }
        });
  }

  private void respond(Call c) {
    Body b = c.json("query", "payload", "payload_base64");
    String q = b.string("query");
    byte[] payload = b.payload();
    if (!agent.respond(q, payload)) {
      throw ApiException.notFound(
          "no pending query '"
              + q
              + "' (unknown, answered already, or older than "
              + Agent.RESPOND_WINDOW.toSeconds()
              + " s)");
    }
    c.ok(Json.object().put("responded", true));
  }

  private ObjectNode stats() {
    ObjectNode o = Json.object();
    o.set("node", reflect(node.stats()));
    o.set("messages", reflect(node.messageStats()));
    o.set(
        "keyring",
        node.keyring().map(k -> (JsonNode) reflect(k.counters())).orElse(Json.object().nullNode()));
    ObjectNode a = o.putObject("agent");
    ObjectNode req = a.putObject("requests");
    agent.outcomes().forEach((k, v) -> req.put(k, v.longValue()));
    a.put("event_streams", agent.hub.streams());
    a.put("pending_queries", agent.pendingQueries());
    return o;
  }

  /**
   * The counters of {@code value}: every public no-argument method returning a number, a boolean, a
   * map of numbers, or another such object, by snake_case name.
   */
  static ObjectNode reflect(Object value) {
    ObjectNode o = Json.object();
    List<Method> methods = new ArrayList<>();
    for (Method m : value.getClass().getMethods()) {
      if (m.getParameterCount() == 0
          && !Modifier.isStatic(m.getModifiers())
          && m.getDeclaringClass() == value.getClass()
          && !m.getName().equals("hashCode")
          && !m.getName().equals("toString")) {
        methods.add(m);
      }
    }
    methods.sort(Comparator.comparing(Method::getName));
    for (Method m : methods) {
      Class<?> t = m.getReturnType();
      String name = snake(m.getName());
      try {
        if (t == long.class || t == int.class || t == double.class || t == boolean.class) {
          o.set(name, Json.mapper().valueToTree(m.invoke(value)));
        } else if (Map.class.isAssignableFrom(t)) {
          ObjectNode mo = o.putObject(name);
          Map<?, ?> map = (Map<?, ?>) m.invoke(value);
          new java.util.TreeMap<>(
                  map.entrySet().stream()
                      .collect(
                          java.util.stream.Collectors.toMap(
                              e -> String.valueOf(e.getKey()).toLowerCase(Locale.ROOT),
                              e -> String.valueOf(e.getValue()),
                              (x, y) -> x)))
              .forEach((k, v) -> mo.set(k, Json.mapper().valueToTree(parseNumber(v))));
        } else if (t.getName().startsWith("io.libgossip.") && !t.isEnum()) {
          Object inner = m.invoke(value);
          if (inner != null) {
            o.set(name, reflect(inner));
          }
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // a counter that cannot be read is left out
      }
    }
    return o;
  }

  private static Object parseNumber(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return v;
    }
  }

  private static String snake(String camel) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char ch = camel.charAt(i);
      if (Character.isUpperCase(ch)) {
        sb.append('_').append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  private void events(Call c) {
    Set<EventHub.Group> groups = EnumSet.allOf(EventHub.Group.class);
    for (String k : c.params.keySet()) {
      if (!k.equals("types") && !k.equals("token")) {
        throw ApiException.badRequest("unknown query parameter '" + k + "' (expected types)");
      }
    }
    String types = c.param("types");
    if (!types.isBlank()) {
      groups = EnumSet.noneOf(EventHub.Group.class);
      for (String t : types.split(",", -1)) {
        String s = t.trim().toUpperCase(Locale.ROOT);
        if (s.isEmpty()) {
          continue;
        }
        try {
          groups.add(EventHub.Group.valueOf(s));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest(
              "types: unknown type '" + t + "' (expected member, user or query)");
        }
      }
      if (groups.isEmpty()) {
        groups = EnumSet.allOf(EventHub.Group.class);
      }
    }
    if (agent.hub.streams() >= EventHub.MAX_STREAMS) {
      throw ApiException.unavailable(
          "this agent serves at most "
              + EventHub.MAX_STREAMS
              + " event streams; close one and retry");
    }
    Channel ch = c.ctx.channel();
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    head.headers().set("X-Accel-Buffering", "no");
    HttpUtil.setTransferEncodingChunked(head, true);
    ch.writeAndFlush(head);
    EventHub.Subscriber s = agent.hub.subscribe(ch, groups);
    if (s == null) {
      ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
      agent.count("unavailable");
      return;
    }
    agent.count("ok");
    ch.attr(SUBSCRIBER).set(s);
  }

  private void metrics(Call c) {
    String text = agent.registry.scrape();
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    c.finish(r, "ok");
  }

  private void staticFile(Call c) {
    if (c.path.equals("/") || c.path.equals("/ui")) {
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND, Unpooled.EMPTY_BUFFER);
      String q = c.req.uri().contains("?") ? c.req.uri().substring(c.req.uri().indexOf('?')) : "";
      r.headers().set(HttpHeaderNames.LOCATION, "/ui/" + q);
      c.finish(r, "ok");
      return;
    }
    String rest = c.path.substring("/ui/".length());
    if (rest.isEmpty()) {
      rest = "index.html";
    }
    if (!SAFE_PATH.matcher(rest).matches() || rest.contains("..")) {
      throw ApiException.notFound("no such file: " + c.path);
    }
    String type = contentType(rest);
    if (type == null) {
      throw ApiException.notFound("no such file: " + c.path);
    }
    byte[] bytes;
    try (InputStream in = ApiHandler.class.getClassLoader().getResourceAsStream(UI_ROOT + rest)) {
      if (in == null) {
        throw ApiException.notFound("no such file: " + c.path);
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw ApiException.notFound("no such file: " + c.path);
    }
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(bytes)); // the codec leaves the body out of a HEAD answer
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    r.headers().set("X-Content-Type-Options", "nosniff");
    c.finish(r, "ok");
  }

  private static @Nullable String contentType(String file) {
    int dot = file.lastIndexOf('.');
    String ext = dot < 0 ? "" : file.substring(dot + 1).toLowerCase(Locale.ROOT);
    switch (ext) {
      case "html":
        return "text/html; charset=utf-8";
      case "js":
      case "mjs":
        return "text/javascript; charset=utf-8";
      case "css":
        return "text/css; charset=utf-8";
      case "json":
      case "map":
        return "application/json; charset=utf-8";
      case "svg":
        return "image/svg+xml";
      case "png":
        return "image/png";
      case "ico":
        return "image/x-icon";
      case "txt":
        return "text/plain; charset=utf-8";
      case "woff2":
        return "font/woff2";
      default:
        return null;
    }
  }
}
