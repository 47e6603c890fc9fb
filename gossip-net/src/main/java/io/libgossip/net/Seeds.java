package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The built-in seed providers' plumbing: parsing, the fixed list, unions, the resolver threads. */
final class Seeds {
  private static final Logger log = LoggerFactory.getLogger(SeedProvider.class);

  private Seeds() {}

  /** Parses {@code host[:port]} seeds, naming a bad one. */
  static List<NodeAddress> parse(Collection<String> seeds) {
    List<NodeAddress> out = new ArrayList<>(seeds.size());
    for (String s : seeds) {
      Objects.requireNonNull(s, "seed");
      try {
        out.add(NodeAddress.parse(s, GossipNode.DEFAULT_PORT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad seed: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** Whether {@code a}'s host is an IP literal. */
  static boolean isIp(NodeAddress a) {
    return NetUtil.isValidIpV4Address(a.host()) || NetUtil.isValidIpV6Address(a.host());
  }

  /** {@code ip} with {@code port}, the host written in its canonical form. */
  static NodeAddress address(InetAddress ip, int port) {
    return new NodeAddress(NetUtil.toAddressString(ip), port);
  }

  /** A short, readable list of addresses for logs and messages. */
  static String describe(Collection<NodeAddress> seeds) {
    if (seeds.isEmpty()) {
      return "(none)";
    }
    int max = 8;
    String head =
        seeds.stream().limit(max).map(NodeAddress::toString).collect(Collectors.joining(", "));
    return seeds.size() > max ? head + " and " + (seeds.size() - max) + " more" : head;
  }

  // ------------------------------------------------------------------------ fixed list

  static SeedProvider fixed(List<NodeAddress> seeds) {
    return new Fixed(List.copyOf(seeds));
  }

  /** A fixed list; names resolved by the system resolver on {@link #resolverThreads()}. */
  private record Fixed(List<NodeAddress> list) implements SeedProvider {
    @Override
    public CompletionStage<List<NodeAddress>> seeds() {
      if (list.stream().allMatch(Seeds::isIp)) {
        List<NodeAddress> out = new ArrayList<>(list.size());
        for (NodeAddress a : list) {
          InetAddress ip = NetUtil.createInetAddressFromIpAddressString(a.host());
          out.add(ip != null ? address(ip, a.port()) : a);
        }
        return CompletableFuture.completedFuture(List.copyOf(out));
      }
      CompletableFuture<List<NodeAddress>> f = new CompletableFuture<>();
      try {
        resolverThreads().execute(() -> resolveNow(f));
      } catch (RejectedExecutionException e) {
        f.completeExceptionally(e);
      }
      return f;
    }

    private void resolveNow(CompletableFuture<List<NodeAddress>> f) {
      Set<NodeAddress> out = new LinkedHashSet<>();
      @Nullable SeedResolutionException failure = null;
      for (NodeAddress a : list) {
        try {
          for (InetAddress ip : InetAddress.getAllByName(a.host())) {
            out.add(address(ip, a.port()));
          }
        } catch (UnknownHostException e) {
          String error = e.getMessage() != null ? e.getMessage() : "unknown host";
          SeedResolutionException ex = new SeedResolutionException(a.host(), "A/AAAA", error, e);
          log.atWarn()
              .setMessage("seed name does not resolve")
              .addKeyValue("host", a.host())
              .addKeyValue("error", error)
              .log();
          if (failure == null) {
            failure = ex;
          }
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
          return;
        }
      }
      if (out.isEmpty() && failure != null) {
        f.completeExceptionally(failure);
      } else {
        f.complete(List.copyOf(out));
      }
    }

    @Override
    public String toString() {
      return describe(list);
    }
  }

  // ------------------------------------------------------------------------ union

  /** The union of what {@code providers} return; fails only when every one fails. */
  static SeedProvider union(List<SeedProvider> providers) {
    List<SeedProvider> all = List.copyOf(providers);
    if (all.size() == 1) {
      return all.get(0);
    }
    return new Union(all);
  }

  private record Union(List<SeedProvider> providers) implements SeedProvider {
    @Override
    public CompletionStage<List<NodeAddress>> seeds() {
      List<CompletableFuture<List<NodeAddress>>> asked = new ArrayList<>();
      for (SeedProvider p : providers) {
        asked.add(ask(p));
      }
      return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
          .handle(
              (v, ignored) -> {
                Set<NodeAddress> out = new LinkedHashSet<>();
                @Nullable Throwable failure = null;
                boolean anyOk = false;
                for (CompletableFuture<List<NodeAddress>> f : asked) {
                  try {
                    out.addAll(f.join());
                    anyOk = true;
                  } catch (RuntimeException e) {
                    failure = failure == null ? unwrap(e) : failure;
                  }
                }
                if (!anyOk && failure != null) {
                  throw new java.util.concurrent.CompletionException(failure);
                }
                return List.copyOf(out);
              });
    }

    @Override
    public String toString() {
      return providers.stream().map(Object::toString).collect(Collectors.joining(" + "));
    }
  }

  /** Asks {@code p}, turning a throw or a null answer into a failed future. */
  static CompletableFuture<List<NodeAddress>> ask(SeedProvider p) {
    try {
      CompletionStage<List<NodeAddress>> s = p.seeds();
      if (s == null) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("seed provider " + p + " returned null"));
      }
      return s.toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The cause inside a {@link java.util.concurrent.CompletionException} or similar wrapper. */
  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  // ------------------------------------------------------------------------ threads

  /** Threads for blocking system-resolver lookups (never the nodes' event loops). */
  static ThreadPoolExecutor resolverThreads() {
    return ResolverThreads.POOL;
  }

  /** The event loop that runs the DNS clients of {@link DnsSeedProvider}. */
  static EventLoop dnsLoop() {
    return DnsLoop.LOOP;
  }

  private static final class ResolverThreads {
    static final ThreadPoolExecutor POOL = newPool();

    private static ThreadPoolExecutor newPool() {
      ThreadPoolExecutor p =
          new ThreadPoolExecutor(
              2,
              2,
              30,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(1024),
              new DefaultThreadFactory("gossip-resolver", true));
      p.allowCoreThreadTimeOut(true);
      return p;
    }
  }

  private static final class DnsLoop {
    // NIO on purpose: the resolver's datagram channel type is NioDatagramChannel. The group picks
    // Netty 4.2's or 4.1's API at run time (EventLoops).
    static final EventLoop LOOP = EventLoops.newGroup(1, "gossip-dns", false).next();
  }
}
