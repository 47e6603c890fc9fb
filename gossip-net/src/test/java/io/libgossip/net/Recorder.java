package io.libgossip.net;

import io.libgossip.core.GossipMessage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An inbound handler that keeps what it receives. */
final class Recorder implements InboundHandler {
  record Received(GossipMessage message, InetSocketAddress sender, int size, String thread) {}

  final List<Received> received = new CopyOnWriteArrayList<>();

  @Override
  public void onMessage(GossipMessage message, InetSocketAddress sender, int size) {
    received.add(new Received(message, sender, size, Thread.currentThread().getName()));
  }

  List<GossipMessage> messages() {
    return received.stream().map(Received::message).toList();
  }
}
