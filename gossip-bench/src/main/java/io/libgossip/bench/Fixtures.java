package io.libgossip.bench;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Realistic, deterministic benchmark inputs: member ids like {@code api-0042.eu-west-1b}, IPv4
 * hosts in 10.0.0.0/8 on port 7946, and two small metadata entries (role and zone), as a service
 * mesh would gossip them.
 */
public final class Fixtures {
  /** The cluster name every fixture and serializer uses. */
  public static final String CLUSTER = "bench";

  /** The id of the node whose core the core benchmarks drive. */
  public static final String SELF_ID = "self-0000.eu-west-1a";

  /** The address of that node. */
  public static final NodeAddress SELF_ADDRESS = new NodeAddress("10.0.0.1", 7946);

  private static final String[] ROLES = {"api", "worker", "cache", "db"};
  private static final String[] ZONES = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};

  private Fixtures() {}

  /** The protocol settings the benchmarks use: {@link GossipConfig#lan()} in cluster "bench". */
  public static GossipConfig config() {
    return GossipConfig.lan().toBuilder().clusterName(CLUSTER).build();
  }

  /** Member {@code i}'s id, e.g. {@code worker-0042.eu-west-1b}. */
  public static String memberId(int i) {
    return String.format("%s-%04d.%s", ROLES[i % ROLES.length], i, ZONES[i % ZONES.length]);
  }

  /** Member {@code i}'s address, a 10.x.y.z host on the default port. */
  public static NodeAddress memberAddress(int i) {
    int n = i + 2; // 10.0.0.1 is SELF_ADDRESS
    return new NodeAddress(
        "10." + ((n >> 16) & 0xFF) + "." + ((n >> 8) & 0xFF) + "." + (n & 0xFF), 7946);
  }

  /** Member {@code i}'s metadata: role and zone. */
  public static Map<String, String> memberMetadata(int i) {
    return Map.of("role", ROLES[i % ROLES.length], "zone", ZONES[i % ZONES.length]);
  }

  /** An ONLINE claim by member {@code i} about itself at {@code incarnation}. */
  public static MemberUpdate alive(int i, long incarnation) {
    String id = memberId(i);
    return new MemberUpdate(
        id, memberAddress(i), NodeStatus.ONLINE, incarnation, memberMetadata(i), 1, 3, id);
  }

  /** A SUSPECT claim about member {@code i}, made by member {@code accuser}. */
  public static MemberUpdate suspect(int i, long incarnation, int accuser) {
    return new MemberUpdate(
        memberId(i),
        memberAddress(i),
        NodeStatus.SUSPECT,
        incarnation,
        Map.of(),
        1,
        3,
        memberId(accuser));
  }

  /**
   * A typical UDP packet: a probe from member 0 to member 1 carrying 8 piggybacked updates (six
   * alive claims with metadata, two suspicions), about 64 members in.
   */
  public static Ping typicalPing() {
    List<MemberUpdate> updates = new ArrayList<>(8);
    for (int k = 0; k < 6; k++) {
      updates.add(alive(10 + 7 * k, 2 + k));
    }
    updates.add(suspect(57, 4, 0));
    updates.add(suspect(63, 1, 12));
    return new Ping(memberId(0), memberAddress(0), 123_456_789L, memberId(1), updates);
  }

  /** The alive claims of members {@code 0..n-1}, in order. */
  public static List<MemberUpdate> members(int n) {
    List<MemberUpdate> updates = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      updates.add(alive(i, i % 5));
    }
    return updates;
  }

  /** A push-pull reply from member 0 with the full state of {@code n} members. */
  public static PushPull pushPull(int n) {
    return new PushPull(memberId(0), memberAddress(0), false, true, members(n));
  }

  /** A started core at {@link #SELF_ADDRESS} that knows members {@code 0..n-1} (all alive). */
  public static GossipCore populatedCore(int n, Outbox outbox, long now) {
    GossipCore core =
        GossipCore.builder()
            .id(SELF_ID)
            .address(SELF_ADDRESS)
            .metadata(Map.of("role", "api", "zone", "eu-west-1a"))
            .config(config())
            .random(new SplittableRandom(42))
            .outbox(outbox)
            .build();
    // the answer to an exchange the core started: only such an answer may bring more than
    // maxNewMembersPerMessage unknown members at once
    core.meet(memberAddress(0), now);
    core.handleMessage(pushPull(n), now);
    return core;
  }

  /**
   * A probe of the core from member {@code sender} carrying {@code updates} (claims it already
   * knows, in the steady state).
   */
  public static Ping pingToSelf(int sender, long seq, List<MemberUpdate> updates) {
    return new Ping(memberId(sender), memberAddress(sender), seq, SELF_ID, updates);
  }
}
