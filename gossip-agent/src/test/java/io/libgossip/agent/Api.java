package io.libgossip.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** A small client of one agent's API for tests: JSON in and out, and an event-stream reader. */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final URI base;
  private final @Nullable String token;

  Api(URI base, @Nullable String token) {
    this.base = base;
    this.token = token;
  }

  Api(Agent a) {
    this(a.httpUri(), a.config.httpToken());
  }

  /** A response: status and body. */
  record Reply(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  Reply send(HttpRequest r) {
    try {
      HttpResponse<String> resp = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
      return new Reply(resp.statusCode(), resp.body(), resp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Reply get(String path) {
    return send(request(path).GET().build());
  }

  Reply delete(String path) {
    return send(request(path).DELETE().build());
  }

  Reply post(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  Reply put(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  /** NDJSON lines of a streamed POST. */
  List<JsonNode> postLines(String path, String json) {
    try {
      HttpResponse<Stream<String>> resp =
          CLIENT.send(
              request(path)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(json))
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      List<JsonNode> out = new ArrayList<>();
      try (Stream<String> lines = resp.body()) {
        for (String l : (Iterable<String>) lines::iterator) {
          if (!l.isBlank()) {
            out.add(JSON.readTree(l));
          }
        }
      }
      if (resp.statusCode() != 200) {
        throw new AssertionError("status " + resp.statusCode() + ": " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One server-sent event. */
  record Event(String type, JsonNode data) {}

  /** Follows {@code /v1/events} on a daemon thread; events collect in {@link #events}. */
  static final class Events implements AutoCloseable {
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String> comments = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile @Nullable Stream<String> lines;
    volatile boolean ended;

    Events(Api api, String query) {
      HttpRequest r = api.request("/v1/events" + query).GET().build();
      reader =
          new Thread(
              () -> {
                try {
                  HttpResponse<Stream<String>> resp =
                      CLIENT.send(r, HttpResponse.BodyHandlers.ofLines());
                  Stream<String> s = resp.body();
                  lines = s;
                  String type = null;
                  for (String l : (Iterable<String>) s::iterator) {
                    if (l.startsWith("event: ")) {
                      type = l.substring(7);
                    } else if (l.startsWith("data: ") && type != null) {
                      events.add(new Event(type, JSON.readTree(l.substring(6))));
                      type = null;
                    } else if (l.startsWith(":")) {
                      comments.add(l);
                    }
                  }
                } catch (IOException | RuntimeException e) {
                  // closed
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  ended = true;
                }
              },
              "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    List<Event> of(String type) {
      return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    @Override
    public void close() {
      Stream<String> s = lines;
      if (s != null) {
        s.close();
      }
      reader.interrupt();
    }
  }
}
