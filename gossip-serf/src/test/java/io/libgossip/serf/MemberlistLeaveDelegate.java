package io.libgossip.serf;

import io.libgossip.memberlist.MemberlistDecodeException;
import io.libgossip.memberlist.SerfCodec;
import io.libgossip.memberlist.SerfMessage;
import io.libgossip.memberlist.WireBytes;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test stand-in for Serf's layer that does only what a graceful leave needs: it watches the
 * Lamport times of Serf messages it hears, and {@link #queueLeave} broadcasts a Serf leave intent
 * above them (several times, as Serf retransmits), so that agents mark the node {@code leaving}
 * before memberlist's dead-from-itself reaches them and then show it {@code left}.
 */
final class MemberlistLeaveDelegate implements MemberlistDelegate {
  private static final int RETRANSMITS = 30;

  private final AtomicLong maxLtime = new AtomicLong();
  private final AtomicInteger decoded = new AtomicInteger();
  private volatile byte[] pending = new byte[0];
  private final AtomicInteger sendsLeft = new AtomicInteger();
  private final AtomicInteger sent = new AtomicInteger();

  /** Queues a leave intent for {@code node}, above every Lamport time heard. */
  void queueLeave(String node) {
    long ltime = maxLtime.get() + 1;
    pending = SerfCodec.encode(new SerfMessage.Leave(ltime, node, false)).toByteArray();
    sendsLeft.set(RETRANSMITS);
  }

  /** How many times the leave intent went out. */
  int leaveSent() {
    return sent.get();
  }

  /** Serf messages decoded so far. */
  int decoded() {
    return decoded.get();
  }

  @Override
  public void notifyMessage(byte[] message, InetSocketAddress sender) {
    witness(message);
  }

  @Override
  public List<byte[]> broadcasts(int overhead, int limit) {
    byte[] p = pending;
    if (p.length == 0 || p.length + overhead > limit || sendsLeft.getAndDecrement() <= 0) {
      return List.of();
    }
    sent.incrementAndGet();
    List<byte[]> out = new ArrayList<>(1);
    out.add(p);
    return out;
  }

  @Override
  public byte[] localState(boolean join) {
    return new byte[0];
  }

  @Override
  public void mergeRemoteState(byte[] state, boolean join) {
    witness(state);
  }

  private void witness(byte[] bytes) {
    try {
      SerfMessage m = SerfCodec.decode(WireBytes.of(bytes));
      decoded.incrementAndGet();
      long t = ltimeOf(m);
      maxLtime.accumulateAndGet(t, Math::max);
    } catch (MemberlistDecodeException e) {
      // not ours to judge here
    }
  }

  private static long ltimeOf(SerfMessage m) {
    if (m instanceof SerfMessage.Join j) {
      return j.ltime();
    }
    if (m instanceof SerfMessage.Leave l) {
      return l.ltime();
    }
    if (m instanceof SerfMessage.PushPull p) {
      return p.ltime();
    }
    return 0;
  }
}
