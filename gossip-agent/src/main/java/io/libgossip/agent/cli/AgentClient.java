package io.libgossip.agent.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;

/**
 * One agent's HTTP API as the operator commands use it: JSON requests and answers, the agent's
 * {@code {"code","message"}} errors and transport failures turned into a {@link CliException} whose
 * message is the one line the command prints.
 */
final class AgentClient {
  /** How long to wait for a TCP connection to the agent. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** How long to wait for a plain request's answer (a leave waits for the leave, up to ~5 s). */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final String base;
  private final @Nullable String token;
  private final HttpClient http;
  private final ObjectMapper json;

  /** A client of the agent at {@code base} (an http or https URL), sending {@code token}. */
  AgentClient(String base, @Nullable String token, ObjectMapper json) {
    this(base, token, null, json);
  }

  /**
   * A client of the agent at {@code base}, sending {@code token}, with {@code tls} for an https URL
   * (null: the JDK's trusted CAs and no client certificate).
   */
  AgentClient(String base, @Nullable String token, @Nullable SSLContext tls, ObjectMapper json) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
    this.json = json;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      b.sslContext(tls);
    }
    this.http = b.build();
  }

  /** The agent's URL, as the error messages name it. */
  String base() {
    return base;
  }

  /** {@code s} encoded for a URL's path segment or query value. */
  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code GET path}: the JSON answer. */
  JsonNode get(String path) {
    return call("GET", path, null);
  }

  /** {@code METHOD path} with the JSON {@code body} (or none): the JSON answer. */
  JsonNode call(String method, String path, @Nullable JsonNode body) {
    HttpResponse<InputStream> r = send(method, path, body, REQUEST_TIMEOUT);
    try (InputStream in = r.body()) {
      byte[] bytes = in.readAllBytes();
      try {
        JsonNode n = json.readTree(bytes);
        // An empty answer (none of the API's, but a proxy's 204) reads as an empty object.
        return n == null || n.isMissingNode() ? json.createObjectNode() : n;
      } catch (JacksonException e) {
        throw new CliException(
            "the agent at " + base + " sent an answer that is not JSON (" + path + ")");
      }
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /**
   * {@code METHOD path} whose answer is a stream (NDJSON or server-sent events): the open body once
   * the agent answered 200 (within {@code headerTimeout}); the caller reads and closes it.
   */
  InputStream stream(String method, String path, @Nullable JsonNode body, Duration headerTimeout) {
    return send(method, path, body, headerTimeout).body();
  }

  private HttpResponse<InputStream> send(
      String method, String path, @Nullable JsonNode body, Duration timeout) {
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    } catch (IllegalArgumentException e) {
      throw new CliException("bad agent URL " + base + path + ": " + e.getMessage(), e);
    }
    b.header("Accept", "application/json, application/x-ndjson, text/event-stream");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      byte[] bytes;
      try {
        bytes = json.writeValueAsBytes(body);
      } catch (JacksonException e) {
        throw new IllegalStateException("cannot encode a request body", e);
      }
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<InputStream> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for the agent at " + base, e);
    } catch (UnresolvedAddressException e) {
      throw new CliException("cannot reach the agent at " + base + ": unknown host", e);
    }
    if (r.statusCode() / 100 != 2) {
      throw agentError(r);
    }
    return r;
  }

  private CliException agentError(HttpResponse<InputStream> r) {
    int status = r.statusCode();
    byte[] bytes;
    try (InputStream in = r.body()) {
      bytes = in.readNBytes(MAX_ERROR_BODY);
    } catch (IOException e) {
      bytes = new byte[0];
    }
    String code = null;
    String message = null;
    try {
      JsonNode n = json.readTree(bytes);
      if (n != null && n.isObject()) {
        code = n.path("code").isTextual() ? n.path("code").asText() : null;
        message = n.path("message").isTextual() ? n.path("message").asText() : null;
      }
    } catch (IOException e) {
      // not JSON: reported below with the status only
    }
    if (message == null) {
      String text = new String(bytes, StandardCharsets.UTF_8).strip();
      return new CliException(
          "the agent at "
              + base
              + " answered HTTP "
              + status
              + (text.isEmpty() ? "" : ": " + Text.safe(Text.abbreviate(text, 200))));
    }
    return new CliException(
        Text.safe(message)
            + " ("
            + (code == null ? "error" : Text.safe(code))
            + ", HTTP "
            + status
            + ")");
  }

  /** A transport failure on the way to (or from) the agent, as one line. */
  CliException unreachable(IOException e) {
    String reason;
    if (e instanceof HttpConnectTimeoutException) {
      reason = "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s";
    } else if (e instanceof HttpTimeoutException) {
      reason = "no answer in time";
    } else if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
      reason = "connection refused (is the agent running? is --http right?)";
    } else if (e instanceof SSLHandshakeException
        || e.getCause() instanceof SSLHandshakeException) {
      reason =
          "TLS handshake failed ("
              + (e.getMessage() == null ? "no detail" : e.getMessage())
              + "; is --ca-file the agent's CA? does the agent require --client-cert and --client-key?)";
    } else if (base.regionMatches(true, 0, "http://", 0, 7)
        && String.valueOf(e.getMessage()).contains("received no bytes")) {
      reason = "the agent closed the connection without an answer (does it serve https://?)";
    } else if (e instanceof SSLException) {
      reason =
          "TLS error: " + e.getMessage() + " (is the agent's URL https:// and --ca-file right?)";
    } else {
      reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new CliException("cannot reach the agent at " + base + ": " + reason, e);
  }
}
