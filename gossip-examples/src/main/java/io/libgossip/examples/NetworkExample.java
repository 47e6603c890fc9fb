package io.libgossip.examples;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.net.SerializerFactory;
import io.libgossip.net.Transport;
import io.libgossip.net.TransportFactory;
import io.libgossip.net.TransportOptions;
import io.libgossip.net.TransportType;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The seed's {@code network_example}: the network layer on its own. Two transports of each type
 * exchange a small probe and a large state message, with the binary and the JSON serializer.
 */
public final class NetworkExample {
  private NetworkExample() {}

  /** Runs the demo. */
  public static void main(String[] args) {
    run(System.out);
  }

  static void run(PrintStream out) {
    GossipMessage.Ping ping =
        new GossipMessage.Ping("alice", new NodeAddress("127.0.0.1", 1), 1, "bob", List.of());
    out.println(
        "a ping in JSON: "
            + new String(
                SerializerFactory.create("json", "demo", 1 << 20).encode(ping),
                StandardCharsets.UTF_8));
    for (String serializerName : SerializerFactory.NAMES) {
      MessageSerializer serializer = SerializerFactory.create(serializerName, "demo", 1 << 20);
      for (TransportType type : TransportType.values()) {
        exchange(out, type, serializer);
      }
    }
  }

  private static void exchange(PrintStream out, TransportType type, MessageSerializer serializer) {
    TransportOptions options =
        TransportOptions.builder().bindHost("127.0.0.1").serializer(serializer).build();
    List<GossipMessage> received = new CopyOnWriteArrayList<>();
    try (Transport alice = TransportFactory.create(type, options);
        Transport bob = TransportFactory.create(type, options)) {
      bob.onMessage((message, sender, size) -> received.add(message));
      alice.onMessage((message, sender, size) -> {});
      NodeAddress aliceAddress = alice.start();
      NodeAddress bobAddress = bob.start();

      GossipMessage small = new GossipMessage.Ping("alice", aliceAddress, 1, "bob", List.of());
      alice.sendAsync(small, bobAddress, Delivery.BEST_EFFORT).get(5, TimeUnit.SECONDS);

      List<MemberUpdate> state = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        state.add(
            new MemberUpdate(
                "node-" + i,
                new NodeAddress("10.0.1." + (i % 250), 7946),
                NodeStatus.ONLINE,
                1,
                Map.of("role", "web"),
                1,
                0,
                "node-" + i));
      }
      GossipMessage large = new GossipMessage.PushPull("alice", aliceAddress, false, false, state);
      String largeOutcome;
      try {
        alice.sendAsync(large, bobAddress, Delivery.BEST_EFFORT).get(5, TimeUnit.SECONDS);
        largeOutcome = "sent";
      } catch (java.util.concurrent.ExecutionException e) {
        largeOutcome = "refused: " + Objects.requireNonNullElse(e.getCause(), e).getMessage();
      }
      int expected = largeOutcome.equals("sent") ? 2 : 1;
      Examples.waitUntil("delivery", Duration.ofSeconds(5), () -> received.size() == expected);
      out.printf(
          "%-6s %-6s small ping delivered; %d-byte push-pull %s; bob received %d, counters %s%n",
          type,
          serializer.name(),
          serializer.encodedSize(large),
          largeOutcome,
          received.size(),
          bob.stats());
    } catch (Exception e) {
      throw new IllegalStateException(type + "/" + serializer.name() + " exchange failed: " + e, e);
    }
  }
}
