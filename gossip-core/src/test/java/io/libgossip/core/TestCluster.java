package io.libgossip.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A tiny deterministic network of cores for unit tests: fixed latency, optional loss, cut links and
 * crashed nodes. The full-featured simulator lives in gossip-sim; this keeps core tests
 * self-contained.
 */
final class TestCluster {
  static final long MS = 1_000_000L;
  static final long SEC = 1_000 * MS;

  record Delivery(long at, long order, int to, GossipMessage message) {}

  /** One message handed to a core's outbox (recorded when {@link #recordSends} is set). */
  record Sent(
      long at,
      int from,
      NodeView target,
      io.libgossip.core.Delivery delivery,
      GossipMessage message) {}

  /** Called after every tick of a core, with the core's index and the tick's time. */
  interface TickObserver {
    void afterTick(int node, GossipCore core, long now);
  }

  final GossipConfig config;
  final List<GossipCore> cores = new ArrayList<>();
  final List<List<ClusterEvent>> events = new ArrayList<>();
  final Map<NodeAddress, Integer> byAddress = new HashMap<>();
  final Set<Integer> crashed = new HashSet<>();
  final Set<Long> cut = new HashSet<>();
  final PriorityQueue<Delivery> inFlight =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  final SplittableRandom random;
  final List<Sent> sends = new ArrayList<>();
  boolean recordSends;
  TickObserver tickObserver;
  double loss;
  long latency = 1 * MS;

  /**
   * When set, every core built from now on is given the wall clock {@code wallClockOrigin + now} at
   * its start, as production runtimes do.
   */
  java.time.Instant wallClockOrigin;

  long now;
  long order;
  long sent;

  TestCluster(int n, GossipConfig config, long seed) {
    this.config = config;
    this.random = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      add(i);
    }
  }

  private void add(int i) {
    NodeAddress addr = addr(i);
    List<ClusterEvent> log = new ArrayList<>();
    final int self = i;
    GossipCore core =
        wallClock(GossipCore.builder())
            .id(id(i))
            .address(addr)
            .config(config)
            .random(random.split())
            .outbox((m, target, d) -> send(self, m, target, d))
            .listener(log::add)
            .build();
    if (i < cores.size()) {
      cores.set(i, core);
      events.set(i, log);
    } else {
      cores.add(core);
      events.add(log);
    }
    byAddress.put(addr, i);
    core.tick(now);
  }

  /**
   * Adds a core with any {@code id} and {@code address} (another instance of an existing id, say),
   * started but not joined; returns its index. Its id need not be {@link #id}{@code (index)}.
   */
  int addInstance(String id, NodeAddress address) {
    int i = cores.size();
    List<ClusterEvent> log = new ArrayList<>();
    GossipCore core =
        wallClock(GossipCore.builder())
            .id(id)
            .address(address)
            .config(config)
            .random(random.split())
            .outbox((m, target, d) -> send(i, m, target, d))
            .listener(log::add)
            .build();
    cores.add(core);
    events.add(log);
    byAddress.put(address, i);
    core.tick(now);
    return i;
  }

  private GossipCore.Builder wallClock(GossipCore.Builder b) {
    java.time.Instant origin = wallClockOrigin;
    return origin == null ? b : b.wallClockAtStart(origin.plusNanos(now));
  }

  /** Replaces node {@code i} by a fresh core with the same id and address (not yet joined). */
  void restart(int i) {
    crashed.remove(i);
    add(i);
  }

  private void send(int from, GossipMessage m, NodeView target, io.libgossip.core.Delivery d) {
    sent++;
    if (recordSends) {
      sends.add(new Sent(now, from, target, d, m));
    }
    Integer to = byAddress.get(target.address());
    if (to == null) {
      return;
    }
    if (d == io.libgossip.core.Delivery.BEST_EFFORT && loss > 0 && random.nextDouble() < loss) {
      return;
    }
    if (cut.contains(link(from, to))) {
      return;
    }
    inFlight.add(new Delivery(now + latency, order++, to, m));
  }

  static long link(int a, int b) {
    return ((long) a << 32) | b;
  }

  void cutBoth(int a, int b) {
    cut.add(link(a, b));
    cut.add(link(b, a));
  }

  void joinAll() {
    cores.get(0).join(List.of(), now);
    for (int i = 1; i < cores.size(); i++) {
      cores.get(i).join(List.of(addr(0)), now);
    }
  }

  static String id(int i) {
    return "n" + i;
  }

  static NodeAddress addr(int i) {
    return new NodeAddress("10.0.0." + i, 7946);
  }

  GossipCore core(int i) {
    return cores.get(i);
  }

  void crash(int i) {
    crashed.add(i);
  }

  /** Runs the network for {@code duration}, ticking each live core at its deadline. */
  void runFor(long duration) {
    long until = now + duration;
    while (true) {
      long next = until;
      int who = -1;
      for (int i = 0; i < cores.size(); i++) {
        if (crashed.contains(i)) {
          continue;
        }
        long d = cores.get(i).nextDeadline();
        if (d - next < 0) {
          next = d;
          who = i;
        }
      }
      Delivery head = inFlight.peek();
      if (head != null && head.at - next <= 0 && head.at - until <= 0) {
        inFlight.poll();
        now = Math.max(now, head.at);
        if (!crashed.contains(head.to)) {
          cores.get(head.to).handleMessage(head.message, now);
        }
        continue;
      }
      if (who < 0) {
        now = until;
        return;
      }
      now = Math.max(now, next);
      GossipCore core = cores.get(who);
      core.tick(now);
      if (tickObserver != null) {
        tickObserver.afterTick(who, core, now);
      }
    }
  }

  /**
   * Runs in steps of {@code step} until {@code done} holds or {@code limit} has passed; returns
   * whether it holds.
   */
  boolean runUntil(java.util.function.BooleanSupplier done, long step, long limit) {
    long until = now + limit;
    while (!done.getAsBoolean()) {
      if (now - until >= 0) {
        return false;
      }
      runFor(step);
    }
    return true;
  }

  /**
   * Whether every live node other than {@code subject} sees {@code subject} with {@code status}.
   */
  boolean allSee(NodeStatus status, int subject) {
    String id = id(subject);
    for (int i = 0; i < cores.size(); i++) {
      if (i == subject || crashed.contains(i)) {
        continue;
      }
      if (cores.get(i).statusOf(id) != status) {
        return false;
      }
    }
    return true;
  }

  /** Whether every live node sees every other live node ONLINE. */
  boolean converged() {
    for (int s = 0; s < cores.size(); s++) {
      if (!crashed.contains(s) && !allSee(NodeStatus.ONLINE, s)) {
        return false;
      }
    }
    return true;
  }

  /** Events of {@code kind} about member {@code subject}, on any node. */
  List<ClusterEvent> eventsAbout(int subject, ClusterEvent.Kind kind) {
    List<ClusterEvent> out = new ArrayList<>();
    for (List<ClusterEvent> log : events) {
      for (ClusterEvent e : log) {
        if (e.kind() == kind && e.node().id().equals(id(subject))) {
          out.add(e);
        }
      }
    }
    return out;
  }
}
