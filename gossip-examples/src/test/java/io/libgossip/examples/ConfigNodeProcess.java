package io.libgossip.examples;

import io.libgossip.cluster.ClusterConfig;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.UserBroadcast;
import io.libgossip.net.GossipNode;
import io.libgossip.net.UserMessageHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One node with a {@link ClusterConfig}, in a process of its own, for {@link
 * ConfigSyncProcessTest}: {@code ID PORT [SEED]}. It prints {@code READY}, then {@code MAP {...}}
 * after every change of its map, and reads {@code put KEY VALUE} and {@code remove KEY} lines from
 * its input.
 */
public final class ConfigNodeProcess {
  private ConfigNodeProcess() {}

  /** Runs the node until its input ends. */
  public static void main(String[] args) throws IOException {
    String id = args[0];
    int port = Integer.parseInt(args[1]);
    ExecutorService listeners = Executors.newSingleThreadExecutor();
    ClusterConfig config = ClusterConfig.builder(id).listenerExecutor(listeners).build();
    config.addListener(ch -> System.out.println("MAP " + config.snapshotStrings()));
    GossipNode.Builder b =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", port)
            .config(GossipConfig.local().toBuilder().clusterName("config-processes").build())
            .appState(config.appState())
            .messageHandler(
                new UserMessageHandler() {
                  @Override
                  public void onBroadcast(UserBroadcast broadcast) {
                    config.onBroadcast(broadcast);
                  }
                });
    if (args.length > 2) {
      b.seeds(args[2]);
    }
    try (GossipNode node = b.start()) {
      config.attach(node::broadcast);
      System.out.println("READY " + id);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] t = line.trim().split(" ", 3);
        if (t[0].equals("put") && t.length == 3) {
          config.put(t[1], t[2]);
        } else if (t[0].equals("remove") && t.length == 2) {
          config.remove(t[1]);
        }
      }
    } finally {
      listeners.shutdownNow();
    }
  }
}
