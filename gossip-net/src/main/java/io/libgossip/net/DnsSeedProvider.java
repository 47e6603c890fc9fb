package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsErrorCauseException;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds from DNS: every A and AAAA record of a name (with a fixed port), or the targets and ports
 * of the SRV records of a service name, each target resolved to every A and AAAA record. Every call
 * of {@link #seeds()} asks the name servers again (nothing is cached), asynchronously on a DNS
 * client thread of its own, never on a node's event loop.
 *
 * <pre>{@code
 * // Kubernetes: a headless Service "gossip" with a port named "gossip" (UDP), in namespace "prod"
 * SeedProvider seeds = DnsSeedProvider.srv("_gossip._udp.gossip.prod.svc.cluster.local").build();
 * // A test or a private zone: another name server
 * SeedProvider seeds = DnsSeedProvider.dns("seeds.example.internal", 7946)
 *     .nameServers(new InetSocketAddress("10.0.0.2", 53))
 *     .queryTimeout(Duration.ofSeconds(2))
 *     .build();
 * }</pre>
 *
 * <p>A lookup that fails (an error code such as {@code NXDOMAIN} or {@code SERVFAIL}, no record, a
 * timeout) completes the stage with a {@link SeedResolutionException} that names the host and the
 * error. For SRV, targets that do not resolve are left out (and logged) as long as one does.
 */
public final class DnsSeedProvider implements SeedProvider {
  private static final Logger log = LoggerFactory.getLogger(DnsSeedProvider.class);

  private final String name;
  private final int port;
  private final boolean srv;
  private final List<InetSocketAddress> nameServers;
  private final Duration queryTimeout;

  private DnsSeedProvider(Builder b) {
    name = b.name;
    port = b.port;
    srv = b.srv;
    nameServers = List.copyOf(b.nameServers);
    queryTimeout = b.queryTimeout;
  }

  /**
   * Seeds at every A and AAAA record of {@code host}, all with {@code port}.
   *
   * @throws IllegalArgumentException when the host is empty or the port outside 1..65535
   */
  public static Builder dns(String host, int port) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be in 1..65535, got " + port);
    }
    return new Builder(host.trim(), port, false);
  }

  /**
   * Seeds at the SRV records of {@code name}, such as {@code
   * _gossip._udp.gossip.default.svc.cluster.local} (Kubernetes names a headless Service's port
   * {@code _<port name>._<protocol>.<service>.<namespace>.svc.<cluster domain>}).
   *
   * @throws IllegalArgumentException when the name is empty
   */
  public static Builder srv(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("SRV name must not be empty");
    }
    return new Builder(name.trim(), 0, true);
  }

  /** The name looked up. */
  public String name() {
    return name;
  }

  /** Whether this looks up SRV records (else A and AAAA). */
  public boolean isSrv() {
    return srv;
  }

  /** The name servers asked, in order; empty for the system's. */
  public List<InetSocketAddress> nameServers() {
    return nameServers;
  }

  @Override
  public CompletionStage<List<NodeAddress>> seeds() {
    CompletableFuture<List<NodeAddress>> result = new CompletableFuture<>();
    EventLoop loop = Seeds.dnsLoop();
    try {
      loop.execute(
          () -> {
            DnsNameResolver resolver;
            try {
              resolver = newResolver(loop);
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
              return;
            }
            result.whenComplete((v, e) -> resolver.close());
            if (srv) {
              lookUpSrv(resolver, result);
            } else {
              lookUpAddresses(resolver, name, "A/AAAA")
                  .whenComplete(
                      (ips, e) -> {
                        if (e != null) {
                          result.completeExceptionally(e);
                        } else {
                          result.complete(ips.stream().map(ip -> Seeds.address(ip, port)).toList());
                        }
                      });
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  private DnsNameResolver newResolver(EventLoop loop) {
    DnsNameResolverBuilder b =
        new DnsNameResolverBuilder(loop)
            .datagramChannelType(NioDatagramChannel.class)
            .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
            .completeOncePreferredResolved(false)
            .queryTimeoutMillis(queryTimeout.toMillis())
            .resolveCache(NoopDnsCache.INSTANCE)
            .cnameCache(NoopDnsCnameCache.INSTANCE)
            .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE);
    if (!nameServers.isEmpty()) {
      b.nameServerProvider(
          new SequentialDnsServerAddressStreamProvider(
              nameServers.toArray(InetSocketAddress[]::new)));
    }
    return b.build();
  }

  /** Every A and AAAA record of {@code host}; fails with a {@link SeedResolutionException}. */
  private CompletableFuture<List<InetAddress>> lookUpAddresses(
      DnsNameResolver resolver, String host, String query) {
    CompletableFuture<List<InetAddress>> f = new CompletableFuture<>();
    resolver
        .resolveAll(host)
        .addListener(
            (Future<List<InetAddress>> r) -> {
              if (r.isSuccess()) {
                f.complete(List.copyOf(new LinkedHashSet<>(r.getNow())));
              } else {
                f.completeExceptionally(failure(host, query, r.cause()));
              }
            });
    return f;
  }

  private void lookUpSrv(DnsNameResolver resolver, CompletableFuture<List<NodeAddress>> result) {
    resolver
        .resolveAll(new DefaultDnsQuestion(name, DnsRecordType.SRV))
        .addListener(
            (Future<List<DnsRecord>> r) -> {
              if (!r.isSuccess()) {
                result.completeExceptionally(failure(name, "SRV", r.cause()));
                return;
              }
              List<Srv> targets = new ArrayList<>();
              try {
                for (DnsRecord rec : r.getNow()) {
                  Srv s = Srv.decode(rec);
                  if (s != null) {
                    targets.add(s);
                  }
                }
              } catch (RuntimeException e) {
                result.completeExceptionally(
                    new SeedResolutionException(name, "SRV", "malformed SRV record: " + e, e));
                return;
              } finally {
                r.getNow().forEach(ReferenceCountUtil::release);
              }
              if (targets.isEmpty()) {
                result.completeExceptionally(
                    new SeedResolutionException(name, "SRV", "no SRV record", null));
                return;
              }
              targets.sort(Comparator.comparingInt(Srv::priority).thenComparing(Srv::target));
              resolveTargets(resolver, targets, result);
            });
  }

  private void resolveTargets(
      DnsNameResolver resolver, List<Srv> targets, CompletableFuture<List<NodeAddress>> result) {
    List<CompletableFuture<List<InetAddress>>> lookups = new ArrayList<>(targets.size());
    for (Srv t : targets) {
      lookups.add(lookUpAddresses(resolver, t.target(), "A/AAAA of SRV target"));
    }
    AtomicInteger pending = new AtomicInteger(lookups.size());
    Runnable finish =
        () -> {
          Set<NodeAddress> out = new LinkedHashSet<>();
          @Nullable Throwable first = null;
          for (int i = 0; i < targets.size(); i++) {
            try {
              for (InetAddress ip : lookups.get(i).join()) {
                out.add(Seeds.address(ip, targets.get(i).port()));
              }
            } catch (RuntimeException e) {
              Throwable c = Seeds.unwrap(e);
              first = first == null ? c : first;
              log.atWarn()
                  .setMessage("SRV target does not resolve")
                  .addKeyValue("srv", name)
                  .addKeyValue("target", targets.get(i).target())
                  .addKeyValue("error", c.getMessage())
                  .log();
            }
          }
          if (out.isEmpty() && first != null) {
            result.completeExceptionally(first);
          } else {
            result.complete(List.copyOf(out));
          }
        };
    for (CompletableFuture<List<InetAddress>> l : lookups) {
      l.whenComplete(
          (v, e) -> {
            if (pending.decrementAndGet() == 0) {
              finish.run();
            }
          });
    }
  }

  /** A lookup failure as a {@link SeedResolutionException} naming the DNS error. */
  private SeedResolutionException failure(String host, String query, Throwable cause) {
    String error = null;
    for (Throwable c = cause; c != null && error == null; c = c.getCause()) {
      if (c instanceof DnsErrorCauseException d) {
        error = rcode(d.getCode().intValue(), d.getCode().toString());
      } else if (c instanceof DnsNameResolverTimeoutException) {
        error = "no answer within " + GossipNode.format(queryTimeout);
      }
    }
    if (error == null) {
      error = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
    error += " (name servers: " + describeServers() + ")";
    return new SeedResolutionException(host, query, error, cause);
  }

  /** The standard mnemonic of a DNS response code (RFC 1035, 2136), such as {@code NXDOMAIN}. */
  static String rcode(int code, String fallback) {
    return switch (code) {
      case 1 -> "FORMERR";
      case 2 -> "SERVFAIL";
      case 3 -> "NXDOMAIN";
      case 4 -> "NOTIMP";
      case 5 -> "REFUSED";
      default -> fallback;
    };
  }

  private String describeServers() {
    if (nameServers.isEmpty()) {
      return "system";
    }
    return nameServers.stream()
        .map(a -> Seeds.address(a.getAddress(), a.getPort()).toString())
        .collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return (srv ? "dns-srv:" + name : "dns:" + name + ":" + port)
        + (nameServers.isEmpty() ? "" : " via " + describeServers());
  }

  /** One SRV record's target and port. */
  private record Srv(int priority, int port, String target) {
    static @Nullable Srv decode(DnsRecord rec) {
      if (!rec.type().equals(DnsRecordType.SRV) || !(rec instanceof DnsRawRecord raw)) {
        return null;
      }
      ByteBuf b = raw.content().duplicate();
      int priority = b.readUnsignedShort();
      b.readUnsignedShort(); // weight: every target is a seed, whatever its share
      int port = b.readUnsignedShort();
      String target = DefaultDnsRecordDecoder.decodeName(b);
      if (target.equals(".") || target.isEmpty() || port == 0) {
        return null; // "no service here" (RFC 2782)
      }
      return new Srv(priority, port, target);
    }
  }

  /** Builds a {@link DnsSeedProvider}; each setter validates its argument. */
  public static final class Builder {
    private final String name;
    private final int port;
    private final boolean srv;
    private List<InetSocketAddress> nameServers = List.of();
    private Duration queryTimeout = Duration.ofSeconds(5);

    private Builder(String name, int port, boolean srv) {
      this.name = name;
      this.port = port;
      this.srv = srv;
    }

    /**
     * The name servers to ask, in order, as IP addresses with ports; default: the system's (from
     * {@code /etc/resolv.conf} on Linux).
     *
     * @throws IllegalArgumentException when an address is unresolved (not an IP)
     */
    public Builder nameServers(InetSocketAddress... v) {
      return nameServers(List.of(v));
    }

    /** Same as {@link #nameServers(InetSocketAddress...)}; an empty list means the system's. */
    public Builder nameServers(List<InetSocketAddress> v) {
      List<InetSocketAddress> copy = List.copyOf(v);
      for (InetSocketAddress a : copy) {
        if (a.isUnresolved()) {
          throw new IllegalArgumentException(
              "name server must be an IP address, got '" + a.getHostString() + "'");
        }
      }
      nameServers = copy;
      return this;
    }

    /** How long to wait for each DNS query; default 5 s. */
    public Builder queryTimeout(Duration v) {
      Objects.requireNonNull(v, "queryTimeout");
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("queryTimeout must be positive, got " + v);
      }
      queryTimeout = v;
      return this;
    }

    /** The provider. */
    public DnsSeedProvider build() {
      return new DnsSeedProvider(this);
    }
  }
}
