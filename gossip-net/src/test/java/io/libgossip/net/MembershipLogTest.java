package io.libgossip.net;

import static io.libgossip.net.LogCapture.has;
import static io.libgossip.net.LogCapture.kv;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One rate-bounded line per membership change, at the level its kind deserves. */
class MembershipLogTest {
  private static final long SEC = TimeUnit.SECONDS.toNanos(1);

  private final LogCapture capture = LogCapture.of("test.membership." + System.nanoTime());
  private final AtomicLong now = new AtomicLong(1_000 * SEC);
  private final List<Long> scheduled = new ArrayList<>();
  private final List<Runnable> tasks = new ArrayList<>();

  @AfterEach
  void detach() {
    capture.close();
  }

  private MembershipLog log(int perSecond) {
    return new MembershipLog(
        capture.logger(),
        "local",
        perSecond,
        now::get,
        (task, delay) -> {
          scheduled.add(delay);
          tasks.add(task);
        });
  }

  private static NodeView view(String id, NodeStatus status, long incarnation) {
    return new NodeView(
        id,
        new NodeAddress("10.0.0.7", 7946),
        status,
        incarnation,
        Map.of("role", "web"),
        1,
        0,
        0,
        0);
  }

  @Test
  void eachOperatorRelevantChangeIsOneInfoLineWithKeyValues() {
    MembershipLog m = log(10);

    m.onEvent(new ClusterEvent.MemberJoined(view("b", NodeStatus.ONLINE, 0)));
    m.onEvent(new ClusterEvent.MemberSuspected(view("b", NodeStatus.SUSPECT, 0), "c"));
    m.onEvent(
        new ClusterEvent.MemberFailed(view("b", NodeStatus.FAILED, 0), NodeStatus.SUSPECT, "d"));
    m.onEvent(new ClusterEvent.MemberRecovered(view("b", NodeStatus.ONLINE, 1), NodeStatus.FAILED));
    m.onEvent(new ClusterEvent.MemberLeft(view("b", NodeStatus.LEFT, 2), NodeStatus.ONLINE));
    m.onEvent(
        new ClusterEvent.SelfRefuted(
            view("local", NodeStatus.ONLINE, 4), NodeStatus.SUSPECT, 3, "e"));

    List<ILoggingEvent> lines = capture.events();
    assertThat(lines).extracting(ILoggingEvent::getLevel).containsOnly(Level.INFO);
    assertThat(lines)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "member joined",
            "member suspected",
            "member failed",
            "member recovered",
            "member left",
            "this node refuted a claim about itself");
    ILoggingEvent suspected = lines.get(1);
    assertThat(kv(suspected, "node")).isEqualTo("local");
    assertThat(kv(suspected, "member")).isEqualTo("b");
    assertThat(kv(suspected, "address")).isEqualTo("10.0.0.7:7946");
    assertThat(kv(suspected, "incarnation")).isEqualTo("0");
    assertThat(kv(suspected, "previous")).isEqualTo("ONLINE");
    assertThat(kv(suspected, "status")).isEqualTo("SUSPECT");
    assertThat(kv(suspected, "by")).isEqualTo("c");
    assertThat(lines.get(2)).matches(e -> has(e, "by", "d") && has(e, "previous", "SUSPECT"));
    assertThat(lines.get(3)).matches(e -> has(e, "incarnation", 1) && has(e, "previous", "FAILED"));
    assertThat(kv(lines.get(0), "metadata")).isEqualTo("{role=web}");
    assertThat(kv(lines.get(0), "by")).isNull();
    assertThat(lines.get(5))
        .matches(e -> has(e, "by", "e") && has(e, "claimedIncarnation", 3))
        .matches(e -> has(e, "claimedStatus", "SUSPECT"));
  }

  @Test
  void routineChangesAreDebugOnly() {
    MembershipLog m = log(10);
    m.onEvent(new ClusterEvent.MemberRemoved(view("b", NodeStatus.FAILED, 0)));
    m.onEvent(new ClusterEvent.MetadataChanged(view("b", NodeStatus.ONLINE, 0), Map.of()));
    m.onEvent(new ClusterEvent.SelfJoined(view("local", NodeStatus.ONLINE, 0)));
    m.onEvent(new ClusterEvent.LeaveSpread(view("local", NodeStatus.LEFT, 0)));
    assertThat(capture.events()).isEmpty();

    capture.close();
    try (LogCapture debug =
        LogCapture.of("test.membership.debug." + System.nanoTime(), Level.DEBUG)) {
      MembershipLog d = new MembershipLog(debug.logger(), "local", 10, now::get, (t, n) -> {});
      d.onEvent(new ClusterEvent.MemberRemoved(view("b", NodeStatus.FAILED, 0)));
      assertThat(debug.events())
          .singleElement()
          .matches(e -> e.getLevel() == Level.DEBUG && has(e, "member", "b"));
    }
  }

  @Test
  void aMemberIdCannotForgeALogLine() {
    MembershipLog m = log(10);
    String evil = "b\n12:00:00.000 INFO  [main] membership member failed member=db-1";
    m.onEvent(new ClusterEvent.MemberSuspected(view(evil, NodeStatus.SUSPECT, 0), "x\r\ny"));
    ILoggingEvent line = capture.events().get(0);
    assertThat(kv(line, "member")).doesNotContain("\n").startsWith("b\\n12:00");
    assertThat(kv(line, "by")).isEqualTo("x\\r\\ny");
  }

  @Test
  void aStormIsLoggedUpToTheBurstThenSummedUpOnce() {
    MembershipLog m = log(2); // burst of 20, then 2 a second
    for (int i = 0; i < 500; i++) {
      m.onEvent(new ClusterEvent.MemberJoined(view("n" + i, NodeStatus.ONLINE, 0)));
    }
    for (int i = 0; i < 30; i++) {
      m.onEvent(
          new ClusterEvent.MemberFailed(
              view("n" + i, NodeStatus.FAILED, 0), NodeStatus.SUSPECT, "x"));
    }
    assertThat(capture.events()).hasSize(20);
    assertThat(m.pendingSummary()).isEqualTo(510);
    assertThat(scheduled).containsExactly(TimeUnit.SECONDS.toNanos(MembershipLog.SUMMARY_SECONDS));

    now.addAndGet(10 * SEC); // the scheduled flush runs; 20 tokens have come back meanwhile
    tasks.get(0).run();
    ILoggingEvent summary = capture.events().get(20);
    assertThat(summary.getLevel()).isEqualTo(Level.INFO);
    assertThat(summary.getFormattedMessage())
        .isEqualTo("510 membership changes not logged individually");
    assertThat(kv(summary, "byKind")).contains("JOINED=480", "FAILED=30");
    assertThat(m.pendingSummary()).isZero();

    m.onEvent(new ClusterEvent.MemberLeft(view("n1", NodeStatus.LEFT, 0), NodeStatus.ONLINE));
    assertThat(capture.events()).hasSize(22);
    assertThat(capture.events().get(21).getFormattedMessage()).isEqualTo("member left");
    m.flush(); // nothing suppressed: no summary
    assertThat(capture.events()).hasSize(22);
  }

  @Test
  void rateZeroLogsOnlySummaries() {
    MembershipLog m = log(0);
    m.onEvent(new ClusterEvent.MemberJoined(view("b", NodeStatus.ONLINE, 0)));
    now.addAndGet(3600 * SEC);
    m.onEvent(new ClusterEvent.MemberJoined(view("c", NodeStatus.ONLINE, 0)));
    assertThat(capture.events()).isEmpty();
    m.flush();
    assertThat(capture.events())
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEqualTo("2 membership changes not logged individually");
  }

  @Test
  void everyKindHasALevelAndAMessage() {
    for (ClusterEvent.Kind k : ClusterEvent.Kind.values()) {
      assertThat(MembershipLog.level(k)).as(k.name()).isNotNull();
      assertThat(MembershipLog.message(k)).as(k.name()).isNotBlank();
    }
  }
}
