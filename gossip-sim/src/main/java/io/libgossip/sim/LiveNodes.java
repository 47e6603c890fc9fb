package io.libgossip.sim;

import io.libgossip.core.GossipCore;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Every simulated node, how to find one by address or id, and the set of running ones in an array
 * that supports constant-time add, remove and random pick.
 */
final class LiveNodes {
  private final SimNode[] nodes;
  private final HashMap<NodeAddress, SimNode> byAddress;
  private final int[] liveList;
  private int liveCount;
  private int startedCount;

  LiveNodes(int n) {
    nodes = new SimNode[n];
    byAddress = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      nodes[i] = new SimNode(i);
      byAddress.put(nodes[i].address, nodes[i]);
    }
    liveList = new int[n];
  }

  /** Number of nodes, running or not. */
  int size() {
    return nodes.length;
  }

  SimNode node(int i) {
    return nodes[i];
  }

  /** The node listening at {@code address}, or null if none does. */
  @Nullable SimNode byAddress(NodeAddress address) {
    return byAddress.get(address);
  }

  /** The index of the node with core id {@code id} ({@code "n" + index}), or -1. */
  int indexOfId(String id) {
    int len = id.length();
    if (len < 2 || len > 11 || id.charAt(0) != 'n') {
      return -1;
    }
    long v = 0;
    for (int k = 1; k < len; k++) {
      char ch = id.charAt(k);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      v = v * 10 + (ch - '0');
    }
    return v < nodes.length ? (int) v : -1;
  }

  boolean isUp(int i) {
    return nodes[i].up;
  }

  /** Number of running nodes. */
  int count() {
    return liveCount;
  }

  /** The {@code k}-th running node, in no particular order ({@code 0 <= k < count()}). */
  int at(int k) {
    return liveList[k];
  }

  /** The running nodes' indexes, ascending. */
  int[] sorted() {
    int[] r = Arrays.copyOf(liveList, liveCount);
    Arrays.sort(r);
    return r;
  }

  /**
   * Moves {@code node} to {@code to}: packets to its old address reach nobody from now on.
   *
   * @throws IllegalArgumentException when another node has that address
   */
  void move(SimNode node, NodeAddress to) {
    SimNode holder = byAddress.get(to);
    if (holder != null && holder != node) {
      throw new IllegalArgumentException(to + " is already the address of " + holder);
    }
    byAddress.remove(node.address);
    node.address = to;
    byAddress.put(to, node);
  }

  /** Whether every node has started at least once. */
  boolean allStarted() {
    return startedCount == nodes.length;
  }

  /** Marks a node's first start. */
  void firstStart() {
    startedCount++;
  }

  /** Adds a node to the running set. */
  void add(SimNode node) {
    node.livePos = liveCount;
    liveList[liveCount++] = node.index;
  }

  /** Removes a node from the running set. */
  void remove(SimNode node) {
    int p = node.livePos;
    int last = liveList[--liveCount];
    liveList[p] = last;
    nodes[last].livePos = p;
  }

  /** How running node {@code observer} sees {@code subject}: {@code UNKNOWN} if not at all. */
  NodeStatus statusOf(int observer, SimNode subject) {
    GossipCore c = nodes[observer].running();
    Optional<NodeView> v = c.findNode(subject.id);
    return v.isPresent() ? v.get().status() : NodeStatus.UNKNOWN;
  }
}
