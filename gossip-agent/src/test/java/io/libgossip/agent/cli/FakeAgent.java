package io.libgossip.agent.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the agent's HTTP API on 127.0.0.1 and an ephemeral port: each "METHOD /path"
 * answers what the test set; every request is recorded.
 */
final class FakeAgent implements AutoCloseable {
  /** One request as the fake received it. */
  record Request(
      String method, String path, String query, Map<String, List<String>> headers, String body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return "";
    }
  }

  /** What the fake does with one request. */
  @FunctionalInterface
  interface Handler {
    void handle(HttpExchange exchange, Request request) throws IOException;
  }

  final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  FakeAgent() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          try {
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request r =
                new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    String.valueOf(exchange.getRequestURI().getRawQuery()),
                    Map.copyOf(exchange.getRequestHeaders()),
                    body);
            requests.add(r);
            Handler h = handlers.get(r.method() + " " + r.path());
            if (h == null) {
              json(exchange, 404, "{\"code\":\"not_found\",\"message\":\"no such path\"}");
            } else {
              h.handle(exchange, r);
            }
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  /** The fake's URL. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers "METHOD path" with {@code status} and the JSON {@code body}. */
  FakeAgent answer(String methodAndPath, int status, String body) {
    handlers.put(methodAndPath, (exchange, r) -> json(exchange, status, body));
    return this;
  }

  /** Answers "METHOD path" with {@code handler}. */
  FakeAgent on(String methodAndPath, Handler handler) {
    handlers.put(methodAndPath, handler);
    return this;
  }

  /** The last request to {@code path}. */
  Request last(String path) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      if (requests.get(i).path().equals(path)) {
        return requests.get(i);
      }
    }
    throw new AssertionError("no request to " + path + " among " + requests);
  }

  static void json(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Starts a streamed (chunked) answer of {@code contentType}. */
  static OutputStream startStream(HttpExchange exchange, String contentType) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(200, 0);
    return exchange.getResponseBody();
  }

  /** Writes {@code text} to a stream and flushes it. */
  static void write(OutputStream out, String text) {
    try {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
