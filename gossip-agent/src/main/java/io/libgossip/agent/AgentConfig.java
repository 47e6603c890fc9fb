package io.libgossip.agent;

import io.libgossip.core.NodeAddress;
import io.libgossip.net.KeyringMode;
import io.libgossip.net.TransportType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one agent, as given on the command line or in a config file (see {@code
 * docs/agent.md}). Immutable; made with {@link #builder()}.
 *
 * @param bind the gossip address to listen on (port 0 picks one)
 * @param http the HTTP API's address (port 0 picks one)
 * @param id the node id, or null to derive it from the address
 * @param join the seeds to join through at start (empty: a new cluster)
 * @param retryJoin whether to keep trying to join instead of exiting
 * @param joinTimeout how long one join attempt waits for a seed
 * @param meta the node's metadata at start
 * @param profile the protocol timing preset: lan, wan or local
 * @param transport the gossip transport
 * @param advertise the address other members reach this node at, or null for the bound one
 * @param cluster the cluster name, or null
 * @param keyring the keyring file, or null for no encryption
 * @param keyringMode the keyring's mode when the file names none, or null for required
 * @param tlsCert the TLS certificate chain (PEM), or null for no TLS
 * @param tlsKey the TLS private key (PEM), or null
 * @param tlsCa the TLS CA certificates (PEM), or null
 * @param tlsRequireClientAuth whether peers must present certificates
 * @param httpToken the bearer token every API request but health and ready must carry, or null
 * @param httpMaxBody the largest request body in bytes
 * @param httpTlsCert the API's HTTPS certificate chain (PEM), or null for plain HTTP
 * @param httpTlsKey the API's HTTPS private key (PEM, PKCS#8), or null
 * @param httpTlsCa CA certificates (PEM) API clients must present a certificate chaining to, or
 *     null for no client certificates
 * @param readyFile where to write the ready JSON once serving, or null
 * @param respond query names this agent answers, with the answer's text
 * @param leaveTimeout how long a graceful leave may take
 */
public record AgentConfig(
    NodeAddress bind,
    NodeAddress http,
    @Nullable String id,
    List<NodeAddress> join,
    boolean retryJoin,
    Duration joinTimeout,
    Map<String, String> meta,
    String profile,
    @Nullable TransportType transport,
    @Nullable NodeAddress advertise,
    @Nullable String cluster,
    @Nullable Path keyring,
    @Nullable KeyringMode keyringMode,
    @Nullable Path tlsCert,
    @Nullable Path tlsKey,
    @Nullable Path tlsCa,
    boolean tlsRequireClientAuth,
    @Nullable String httpToken,
    int httpMaxBody,
    @Nullable Path httpTlsCert,
    @Nullable Path httpTlsKey,
    @Nullable Path httpTlsCa,
    @Nullable Path readyFile,
    Map<String, String> respond,
    Duration leaveTimeout) {

  /** The HTTP API's default address. */
  public static final NodeAddress DEFAULT_HTTP = new NodeAddress("127.0.0.1", 8946);

  /** The default largest request body: 1 MiB. */
  public static final int DEFAULT_MAX_BODY = 1 << 20;

  /** Copies the collections and checks the values. */
  public AgentConfig {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(http, "http");
    join = List.copyOf(join);
    meta = Map.copyOf(meta);
    respond = Map.copyOf(respond);
    Objects.requireNonNull(joinTimeout, "joinTimeout");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(leaveTimeout, "leaveTimeout");
    if (httpMaxBody < 1) {
      throw new IllegalArgumentException("httpMaxBody must be positive, got " + httpMaxBody);
    }
    if (httpToken != null && httpToken.isEmpty()) {
      throw new IllegalArgumentException("the HTTP token must not be empty");
    }
    if ((httpTlsCert == null) != (httpTlsKey == null)) {
      throw new IllegalArgumentException("HTTPS needs both --http-tls-cert and --http-tls-key");
    }
    if (httpTlsCa != null && httpTlsCert == null) {
      throw new IllegalArgumentException(
          "--http-tls-ca (client certificates) needs --http-tls-cert and --http-tls-key");
    }
  }

  /** Whether the API is served over HTTPS. */
  public boolean httpTls() {
    return httpTlsCert != null;
  }

  /** A builder with the defaults: HTTP on 127.0.0.1:8946, LAN profile, no token, 1 MiB bodies. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link AgentConfig}; {@link #bind} is required. */
  public static final class Builder {
    private @Nullable NodeAddress bind;
    private NodeAddress http = DEFAULT_HTTP;
    private @Nullable String id;
    private final List<NodeAddress> join = new ArrayList<>();
    private boolean retryJoin;
    private Duration joinTimeout = Duration.ofSeconds(5);
    private final Map<String, String> meta = new LinkedHashMap<>();
    private String profile = "lan";
    private @Nullable TransportType transport;
    private @Nullable NodeAddress advertise;
    private @Nullable String cluster;
    private @Nullable Path keyring;
    private @Nullable KeyringMode keyringMode;
    private @Nullable Path tlsCert;
    private @Nullable Path tlsKey;
    private @Nullable Path tlsCa;
    private boolean tlsRequireClientAuth;
    private @Nullable String httpToken;
    private int httpMaxBody = DEFAULT_MAX_BODY;
    private @Nullable Path httpTlsCert;
    private @Nullable Path httpTlsKey;
    private @Nullable Path httpTlsCa;
    private @Nullable Path readyFile;
    private final Map<String, String> respond = new LinkedHashMap<>();
    private Duration leaveTimeout = Duration.ofSeconds(5);

    private Builder() {}

    /** The gossip address to listen on. */
    public Builder bind(NodeAddress v) {
      bind = v;
      return this;
    }

    /** The HTTP API's address. */
    public Builder http(NodeAddress v) {
      http = v;
      return this;
    }

    /** The node id. */
    public Builder id(@Nullable String v) {
      id = v;
      return this;
    }

    /** Adds seeds to join through at start. */
    public Builder join(List<NodeAddress> v) {
      join.addAll(v);
      return this;
    }

    /** Whether to keep trying to join. */
    public Builder retryJoin(boolean v) {
      retryJoin = v;
      return this;
    }

    /** How long one join attempt waits. */
    public Builder joinTimeout(Duration v) {
      joinTimeout = v;
      return this;
    }

    /** Adds metadata. */
    public Builder meta(Map<String, String> v) {
      meta.putAll(v);
      return this;
    }

    /** The timing preset: lan, wan or local. */
    public Builder profile(String v) {
      profile = v;
      return this;
    }

    /** The transport. */
    public Builder transport(@Nullable TransportType v) {
      transport = v;
      return this;
    }

    /** The advertised address. */
    public Builder advertise(@Nullable NodeAddress v) {
      advertise = v;
      return this;
    }

    /** The cluster name. */
    public Builder cluster(@Nullable String v) {
      cluster = v;
      return this;
    }

    /** The keyring file. */
    public Builder keyring(@Nullable Path v) {
      keyring = v;
      return this;
    }

    /** The keyring mode when the file names none. */
    public Builder keyringMode(@Nullable KeyringMode v) {
      keyringMode = v;
      return this;
    }

    /** The TLS files (all three, or none). */
    public Builder tls(@Nullable Path cert, @Nullable Path key, @Nullable Path ca) {
      tlsCert = cert;
      tlsKey = key;
      tlsCa = ca;
      return this;
    }

    /** Whether peers must present a certificate. */
    public Builder tlsRequireClientAuth(boolean v) {
      tlsRequireClientAuth = v;
      return this;
    }

    /** The bearer token of the API. */
    public Builder httpToken(@Nullable String v) {
      httpToken = v;
      return this;
    }

    /** The largest request body in bytes. */
    public Builder httpMaxBody(int v) {
      httpMaxBody = v;
      return this;
    }

    /**
     * Serves the API over HTTPS with {@code cert} (PEM chain) and {@code key} (PEM, PKCS#8); with
     * {@code clientCa}, clients must present a certificate that chains to it (mutual TLS).
     */
    public Builder httpTls(@Nullable Path cert, @Nullable Path key, @Nullable Path clientCa) {
      httpTlsCert = cert;
      httpTlsKey = key;
      httpTlsCa = clientCa;
      return this;
    }

    /** Where to write the ready JSON. */
    public Builder readyFile(@Nullable Path v) {
      readyFile = v;
      return this;
    }

    /** Adds an answer: queries named {@code name} get {@code text}. */
    public Builder respond(String name, String text) {
      respond.put(name, text);
      return this;
    }

    /** How long a graceful leave may take. */
    public Builder leaveTimeout(Duration v) {
      leaveTimeout = v;
      return this;
    }

    /** The settings. */
    public AgentConfig build() {
      if (bind == null) {
        throw new IllegalArgumentException("bind is required");
      }
      return new AgentConfig(
          bind,
          http,
          id,
          join,
          retryJoin,
          joinTimeout,
          meta,
          profile,
          transport,
          advertise,
          cluster,
          keyring,
          keyringMode,
          tlsCert,
          tlsKey,
          tlsCa,
          tlsRequireClientAuth,
          httpToken,
          httpMaxBody,
          httpTlsCert,
          httpTlsKey,
          httpTlsCa,
          readyFile,
          respond,
          leaveTimeout);
    }
  }
}
