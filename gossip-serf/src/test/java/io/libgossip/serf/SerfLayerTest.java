package io.libgossip.serf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.NodeAddress;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.MemberlistDecodeException;
import io.libgossip.memberlist.SerfCodec;
import io.libgossip.memberlist.SerfMessage;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.net.UserMessageHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Serf's layer against fakes: a manual clock, a recording sender, keyring and handler. */
class SerfLayerTest {
  private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 7000);
  private static final WireBytes ASKER_IP = WireBytes.of(new byte[] {127, 0, 0, 9});
  private static final byte[] K1 = key(1);
  private static final byte[] K2 = key(2);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final AtomicInteger members = new AtomicInteger(2);
  private final List<Map.Entry<NodeAddress, byte[]>> sent = new ArrayList<>();
  private final List<UserBroadcast> events = new ArrayList<>();
  private final List<QueryRequest> queries = new ArrayList<>();
  private @Nullable Keyring ring = Keyring.of(K1);
  private final SerfKeyringAccess keyring =
      new SerfKeyringAccess() {
        @Override
        public @Nullable Keyring keyring() {
          return ring;
        }

        @Override
        public void keyring(Keyring k) {
          ring = k;
        }
      };
  private volatile @Nullable CompletableFuture<byte[]> answer =
      CompletableFuture.completedFuture("pong".getBytes(StandardCharsets.UTF_8));
  private final UserMessageHandler handler =
      new UserMessageHandler() {
        @Override
        public void onBroadcast(UserBroadcast b) {
          events.add(b);
        }

        @Override
        public @Nullable CompletableFuture<byte[]> onQuery(QueryRequest q) {
          queries.add(q);
          return answer;
        }
      };
  private final List<SerfLayer> layers = new ArrayList<>();

  @AfterEach
  void close() {
    layers.forEach(SerfLayer::close);
  }

  private static byte[] key(int seed) {
    byte[] k = new byte[16];
    new SplittableRandom(seed).nextBytes(k);
    return k;
  }

  private SerfLayer.Builder builder() {
    return SerfLayer.builder("me")
        .clock(now::get)
        .random(new SplittableRandom(7))
        .memberCount(members::get)
        .sender((to, msg) -> sent.add(Map.entry(to, msg)))
        .advertise(() -> new InetSocketAddress("127.0.0.1", 7946))
        .keyring(keyring)
        .tags(() -> Map.of("role", "web", "dc", "eu-1"))
        .handler(handler)
        .executor(Runnable::run)
        .tickInterval(Duration.ZERO);
  }

  private SerfLayer layer() {
    return track(builder().build());
  }

  private SerfLayer track(SerfLayer l) {
    layers.add(l);
    return l;
  }

  private static byte[] bytes(SerfMessage m) {
    return SerfCodec.encode(m).toByteArray();
  }

  private static SerfMessage decode(byte[] b) throws MemberlistDecodeException {
    return SerfCodec.decode(WireBytes.of(b));
  }

  private static List<SerfMessage> drain(SerfLayer l) throws MemberlistDecodeException {
    List<SerfMessage> out = new ArrayList<>();
    for (byte[] b : l.broadcasts(3, 1400)) {
      out.add(decode(b));
    }
    return out;
  }

  private static SerfMessage.Query query(long ltime, long id, long flags, List<WireBytes> filters) {
    return query(ltime, id, flags, filters, "uptime", WireBytes.utf8("q"));
  }

  /** A query from "asker" (no relay factor, a 5 s timeout). */
  private static SerfMessage.Query query(
      long ltime, long id, long flags, List<WireBytes> filters, String name, WireBytes payload) {
    return new SerfMessage.Query(
        ltime,
        id,
        ASKER_IP,
        8000,
        "asker",
        filters,
        flags,
        0,
        TimeUnit.SECONDS.toNanos(5),
        name,
        payload);
  }

  @Test
  void clocksStartAtOneAndWitnessEveryInboundMessage() {
    SerfLayer l = layer();
    assertThat(List.of(l.memberTime(), l.eventTime(), l.queryTime())).containsExactly(1L, 1L, 1L);
    l.notifyMessage(bytes(new SerfMessage.Join(10, "a")), FROM);
    l.notifyMessage(bytes(new SerfMessage.UserEvent(20, "e", WireBytes.EMPTY, false)), FROM);
    l.notifyMessage(bytes(query(30, 1, 0, List.of())), FROM);
    assertThat(List.of(l.memberTime(), l.eventTime(), l.queryTime()))
        .containsExactly(11L, 21L, 31L);
    // An older time does not move a clock back.
    l.notifyMessage(bytes(new SerfMessage.Join(3, "b")), FROM);
    assertThat(l.memberTime()).isEqualTo(11);
  }

  @Test
  void userEventIsDeliveredOnceAndRebroadcast() throws Exception {
    SerfLayer l = layer();
    byte[] ev = bytes(new SerfMessage.UserEvent(5, "deploy", WireBytes.utf8("v42"), true));
    l.notifyMessage(ev, FROM);
    l.notifyMessage(ev.clone(), FROM);
    assertThat(events).hasSize(1);
    UserBroadcast b = events.get(0);
    assertThat(b.topic()).isEqualTo("deploy");
    assertThat(b.origin()).isEmpty();
    assertThat(b.seq()).isEqualTo(5);
    assertThat(b.key()).isEqualTo("deploy"); // coalescable: the name is the key
    assertThat(new String(b.payload(), StandardCharsets.UTF_8)).isEqualTo("v42");
    assertThat(l.stats().duplicates()).isEqualTo(1);
    assertThat(drain(l))
        .containsExactly(new SerfMessage.UserEvent(5, "deploy", WireBytes.utf8("v42"), true));
    // Same time, other content: a different event.
    l.notifyMessage(
        bytes(new SerfMessage.UserEvent(5, "deploy", WireBytes.utf8("v43"), false)), FROM);
    assertThat(events).hasSize(2);
    assertThat(events.get(1).key()).isNull();
  }

  @Test
  void eventsOlderThanTheBufferAreIgnored() {
    SerfLayer l = layer();
    l.notifyMessage(bytes(new SerfMessage.UserEvent(999, "new", WireBytes.EMPTY, false)), FROM);
    assertThat(l.eventTime()).isEqualTo(1000);
    // 1000 - 512 = 488: 487 is too old, 488 is still inside the buffer.
    l.notifyMessage(bytes(new SerfMessage.UserEvent(487, "old", WireBytes.EMPTY, false)), FROM);
    l.notifyMessage(bytes(new SerfMessage.UserEvent(488, "edge", WireBytes.EMPTY, false)), FROM);
    assertThat(events).extracting(UserBroadcast::topic).containsExactly("new", "edge");
    assertThat(l.stats().stale()).isEqualTo(1);
    assertThat(l.broadcasts(3, 1400)).hasSize(2);
  }

  @Test
  void ownUserEventIsBroadcastAtTheEventClockButNotDeliveredLocally() throws Exception {
    SerfLayer l = layer();
    l.userEvent("hello", "world".getBytes(StandardCharsets.UTF_8), false);
    l.userEvent("hello", "again".getBytes(StandardCharsets.UTF_8), false);
    assertThat(events).isEmpty();
    assertThat(l.eventTime()).isEqualTo(3);
    assertThat(drain(l))
        .containsExactlyInAnyOrder(
            new SerfMessage.UserEvent(1, "hello", WireBytes.utf8("world"), false),
            new SerfMessage.UserEvent(2, "hello", WireBytes.utf8("again"), false));
    assertThatThrownBy(() -> l.userEvent("big", new byte[510], false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("512");
    // Under 512 before encoding, over it after.
    assertThatThrownBy(() -> l.userEvent("big", new byte[500], false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("encoded");
  }

  @Test
  void broadcastsGoOutRetransmitLimitTimes() {
    SerfLayer l = layer();
    members.set(2); // ceil(log10(3)) = 1: 4 transmissions
    l.userEvent("e", new byte[0], false);
    int n = 0;
    while (!l.broadcasts(3, 1400).isEmpty()) {
      n++;
    }
    assertThat(n).isEqualTo(4);
    members.set(10); // ceil(log10(11)) = 2: 8 transmissions
    l.userEvent("e", new byte[1], false);
    n = 0;
    while (!l.broadcasts(3, 1400).isEmpty()) {
      n++;
    }
    assertThat(n).isEqualTo(8);
  }

  @Test
  void broadcastsRespectTheByteLimitAndPutIntentsFirst() throws Exception {
    SerfLayer l = layer();
    l.userEvent("e", new byte[100], false);
    l.notifyMessage(bytes(new SerfMessage.Join(4, "a")), FROM);
    int joinLen = bytes(new SerfMessage.Join(4, "a")).length;
    // Room for the join only.
    List<byte[]> first = l.broadcasts(3, joinLen + 3 + 50);
    assertThat(first).hasSize(1);
    assertThat(decode(first.get(0))).isInstanceOf(SerfMessage.Join.class);
    List<byte[]> both = l.broadcasts(3, 1400);
    assertThat(both).hasSize(2);
    assertThat(decode(both.get(0))).isInstanceOf(SerfMessage.Join.class);
    assertThat(l.broadcasts(3, 10)).isEmpty();
  }

  @Test
  void queueOverItsDepthDropsTheOldest() throws Exception {
    SerfLayer l = track(builder().maxQueueDepth(3).build());
    for (int i = 0; i < 5; i++) {
      l.userEvent("e" + i, new byte[0], false);
    }
    assertThat(l.stats().broadcastsPruned()).isEqualTo(2);
    assertThat(drain(l))
        .extracting(m -> ((SerfMessage.UserEvent) m).name())
        .containsExactlyInAnyOrder("e2", "e3", "e4");
  }

  @Test
  void leaveIntentMakesAGoneMemberLeftAndNoIntentMakesItFailed() {
    SerfLayer l = layer();
    assertThat(l.memberAlive("a")).isEqualTo(SerfMemberStatus.ALIVE);
    assertThat(l.memberAlive("b")).isEqualTo(SerfMemberStatus.ALIVE);
    l.notifyMessage(bytes(new SerfMessage.Leave(8, "a", false)), FROM);
    assertThat(l.memberStatus("a")).isEqualTo(SerfMemberStatus.LEAVING);
    assertThat(l.statusLTime("a")).isEqualTo(8);
    assertThat(l.memberGone("a")).isEqualTo(SerfMemberStatus.LEFT);
    assertThat(l.memberGone("b")).isEqualTo(SerfMemberStatus.FAILED);
    // A late leave intent turns a failed member into a left one, as Serf's force-leave does.
    l.notifyMessage(bytes(new SerfMessage.Leave(9, "b", false)), FROM);
    assertThat(l.memberStatus("b")).isEqualTo(SerfMemberStatus.LEFT);
    // An older join intent does not revive a leaving member; a newer one does.
    l.memberAlive("c");
    l.notifyMessage(bytes(new SerfMessage.Leave(20, "c", false)), FROM);
    l.notifyMessage(bytes(new SerfMessage.Join(19, "c")), FROM);
    assertThat(l.memberStatus("c")).isEqualTo(SerfMemberStatus.LEAVING);
    l.notifyMessage(bytes(new SerfMessage.Join(21, "c")), FROM);
    assertThat(l.memberStatus("c")).isEqualTo(SerfMemberStatus.ALIVE);
    assertThat(l.memberGone("nobody")).isNull();
  }

  @Test
  void intentBeforeMemberlistNewsIsKeptForTheMember() {
    SerfLayer l = layer();
    l.notifyMessage(bytes(new SerfMessage.Leave(6, "early", false)), FROM);
    assertThat(l.memberStatus("early")).isNull();
    assertThat(l.memberAlive("early")).isEqualTo(SerfMemberStatus.LEAVING);
    assertThat(l.statusLTime("early")).isEqualTo(6);
    // Intents about unknown members expire after the recent-intent timeout.
    l.notifyMessage(bytes(new SerfMessage.Join(6, "later")), FROM);
    now.addAndGet(Duration.ofMinutes(6).toNanos());
    l.tick();
    assertThat(l.memberAlive("later")).isEqualTo(SerfMemberStatus.ALIVE);
    assertThat(l.statusLTime("later")).isZero();
  }

  @Test
  void staleLeaveIntentAboutThisNodeIsRefutedWithAJoinIntent() throws Exception {
    SerfLayer l = layer();
    l.notifyMessage(bytes(new SerfMessage.Leave(30, "me", false)), FROM);
    assertThat(l.memberStatus("me")).isEqualTo(SerfMemberStatus.ALIVE);
    List<SerfMessage> out = drain(l);
    assertThat(out).hasSize(1);
    SerfMessage.Join refute = (SerfMessage.Join) out.get(0);
    assertThat(refute.node()).isEqualTo("me");
    assertThat(refute.ltime()).isGreaterThan(30);
    assertThat(l.statusLTime("me")).isEqualTo(refute.ltime());
  }

  @Test
  void joinBroadcastsTheJoinIntentAtTheMemberClock() throws Exception {
    SerfLayer l = layer();
    l.beginJoin(false);
    l.endJoin(false);
    assertThat(l.broadcasts(3, 1400)).isEmpty();
    l.endJoin(true);
    assertThat(drain(l)).containsExactly(new SerfMessage.Join(1, "me"));
    assertThat(l.memberTime()).isEqualTo(2);
  }

  @Test
  void leaveCompletesOnceTheIntentWentOutOrTimesOut() throws Exception {
    SerfLayer l = layer();
    members.set(3);
    CompletableFuture<Void> f = l.leave();
    assertThat(l.leave()).isSameAs(f);
    assertThat(l.memberStatus("me")).isEqualTo(SerfMemberStatus.LEAVING);
    // A leave intent about this node is no longer refuted.
    l.notifyMessage(bytes(new SerfMessage.Leave(50, "me", false)), FROM);
    List<SerfMessage> first = drain(l);
    assertThat(first).contains(new SerfMessage.Leave(1, "me", false));
    assertThat(first).noneMatch(m -> m instanceof SerfMessage.Join);
    while (!f.isDone()) {
      assertThat(l.broadcasts(3, 1400)).isNotEmpty();
    }
    assertThat(f).isCompleted();

    SerfLayer other = track(builder().build());
    CompletableFuture<Void> g = other.leave();
    now.addAndGet(Duration.ofSeconds(6).toNanos());
    other.tick();
    assertThat(g).isCompletedExceptionally();
    assertThatThrownBy(g::get).hasCauseInstanceOf(TimeoutException.class);

    members.set(1);
    SerfLayer alone = track(builder().build());
    assertThat(alone.leave()).isCompleted();
  }

  @Test
  void pushPullStateRoundTripsAndMergesAsSerfDoes() throws Exception {
    SerfLayer l = layer();
    SerfMessage.PushPull remote =
        new SerfMessage.PushPull(
            40,
            Map.of("a", 5L, "b", 7L),
            List.of("b"),
            60,
            List.of(
                new SerfMessage.UserEvents(58, List.of(Map.entry("x", WireBytes.utf8("1")))),
                new SerfMessage.UserEvents(59, List.of(Map.entry("y", WireBytes.EMPTY)))),
            70);
    l.mergeRemoteState(bytes(remote), false);
    // Witnessed one less than the sender's times.
    assertThat(List.of(l.memberTime(), l.eventTime(), l.queryTime()))
        .containsExactly(40L, 60L, 70L);
    assertThat(events).extracting(UserBroadcast::topic).containsExactly("x", "y");
    assertThat(l.memberAlive("a")).isEqualTo(SerfMemberStatus.ALIVE);
    assertThat(l.statusLTime("a")).isEqualTo(5);
    assertThat(l.memberAlive("b")).isEqualTo(SerfMemberStatus.LEAVING);
    assertThat(l.memberGone("b")).isEqualTo(SerfMemberStatus.LEFT);
    // Merged state is not rebroadcast.
    assertThat(l.broadcasts(3, 1400)).isEmpty();

    SerfMessage.PushPull mine = (SerfMessage.PushPull) decode(l.localState(false));
    assertThat(mine.ltime()).isEqualTo(40);
    assertThat(mine.eventLTime()).isEqualTo(60);
    assertThat(mine.queryLTime()).isEqualTo(70);
    assertThat(mine.statusLTimes()).containsEntry("a", 5L).containsEntry("b", 8L);
    assertThat(mine.statusLTimes()).containsKey("me");
    assertThat(mine.leftMembers()).containsExactly("b");
    assertThat(mine.events()).hasSize(2);

    // Another layer merging ours learns the same and delivers the events once.
    events.clear();
    SerfLayer peer = track(builder().build());
    peer.mergeRemoteState(l.localState(false), false);
    peer.mergeRemoteState(l.localState(false), false);
    assertThat(events).hasSize(2);
    assertThat(peer.memberAlive("b")).isEqualTo(SerfMemberStatus.LEAVING);
  }

  @Test
  void joinThatIgnoresOldEventsSkipsTheEventsBeforeIt() {
    SerfLayer l = layer();
    SerfMessage.PushPull remote =
        new SerfMessage.PushPull(
            1,
            Map.of(),
            List.of(),
            50,
            List.of(new SerfMessage.UserEvents(40, List.of(Map.entry("old", WireBytes.EMPTY)))),
            1);
    l.beginJoin(true);
    l.mergeRemoteState(bytes(remote), true);
    l.endJoin(true);
    assertThat(events).isEmpty();
    l.notifyMessage(bytes(new SerfMessage.UserEvent(50, "new", WireBytes.EMPTY, false)), FROM);
    assertThat(events).extracting(UserBroadcast::topic).containsExactly("new");
    assertThat(l.stats().stale()).isEqualTo(1);
  }

  @Test
  void inboundQueryIsAckedAnsweredAndRebroadcast() throws Exception {
    SerfLayer l = layer();
    byte[] raw = bytes(query(9, 77, 1, List.of()));
    l.notifyMessage(raw, FROM);
    l.notifyMessage(raw.clone(), FROM);
    assertThat(queries).hasSize(1);
    QueryRequest req = queries.get(0);
    assertThat(req.origin()).isEqualTo("asker");
    assertThat(req.id()).isEqualTo(77);
    assertThat(req.name()).isEqualTo("uptime");
    assertThat(req.ackRequested()).isTrue();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).getKey()).isEqualTo(new NodeAddress("127.0.0.9", 8000));
    assertThat(decode(sent.get(0).getValue()))
        .isEqualTo(new SerfMessage.QueryResponse(9, 77, "me", 1, WireBytes.EMPTY));
    assertThat(decode(sent.get(1).getValue()))
        .isEqualTo(new SerfMessage.QueryResponse(9, 77, "me", 0, WireBytes.utf8("pong")));
    assertThat(drain(l)).containsExactly(decode(raw));
    // No-broadcast flag: answered, not rebroadcast.
    l.notifyMessage(bytes(query(10, 78, 2, List.of())), FROM);
    assertThat(queries).hasSize(2);
    List<SerfMessage> rest = new ArrayList<>();
    for (List<SerfMessage> m = drain(l); !m.isEmpty(); m = drain(l)) {
      rest.addAll(m);
    }
    assertThat(rest).hasSize(3).allMatch(m -> ((SerfMessage.Query) m).id() == 77);
  }

  @Test
  void queryFiltersSelectNodesByNameAndTagRegex() {
    SerfLayer l = layer();
    WireBytes notMe = SerfCodec.encodeFilter(new SerfMessage.NodeFilter(List.of("x", "y")));
    WireBytes me = SerfCodec.encodeFilter(new SerfMessage.NodeFilter(List.of("x", "me")));
    WireBytes web = SerfCodec.encodeFilter(new SerfMessage.TagFilter("role", "we"));
    WireBytes db = SerfCodec.encodeFilter(new SerfMessage.TagFilter("role", "^db$"));
    WireBytes bad = SerfCodec.encodeFilter(new SerfMessage.TagFilter("role", "(unclosed"));
    WireBytes evil =
        SerfCodec.encodeFilter(new SerfMessage.TagFilter("dc", "(e|e|-|u|1|.)*(x+x+)+y"));
    l.notifyMessage(bytes(query(2, 1, 0, List.of(notMe))), FROM);
    l.notifyMessage(bytes(query(2, 2, 0, List.of(me, web))), FROM);
    l.notifyMessage(bytes(query(2, 3, 0, List.of(me, db))), FROM);
    l.notifyMessage(bytes(query(2, 4, 0, List.of(bad))), FROM);
    l.notifyMessage(bytes(query(2, 5, 0, List.of(evil))), FROM);
    assertThat(queries).extracting(QueryRequest::id).containsExactly(2L);
    // Filtered out or not, each first sighting is rebroadcast.
    assertThat(l.broadcasts(3, 1400)).hasSize(5);
    assertThat(l.stats().malformed()).isEqualTo(1); // the bad expression; evil just fails
  }

  @Test
  void answersPastTheDeadlineOrOverTheSizeLimitAreNotSent() {
    SerfLayer l = layer();
    CompletableFuture<byte[]> late = new CompletableFuture<>();
    answer = late;
    l.notifyMessage(bytes(query(3, 1, 0, List.of())), FROM);
    now.addAndGet(TimeUnit.SECONDS.toNanos(6));
    late.complete(new byte[1]);
    answer = CompletableFuture.completedFuture(new byte[1100]);
    l.notifyMessage(bytes(query(4, 2, 0, List.of())), FROM);
    assertThat(sent).isEmpty();
    assertThat(l.stats().responsesDropped()).isEqualTo(2);
    // A handler without an answer sends nothing, a failing answer is counted.
    answer = null;
    l.notifyMessage(bytes(query(5, 3, 0, List.of())), FROM);
    answer = CompletableFuture.failedFuture(new IllegalStateException("boom"));
    l.notifyMessage(bytes(query(6, 4, 0, List.of())), FROM);
    assertThat(sent).isEmpty();
    assertThat(l.stats().handlerFailures()).isEqualTo(1);
  }

  @Test
  void outboundQueryCollectsAcksAndAnswersUntilTheTimeout() throws Exception {
    SerfLayer l = layer();
    List<QueryResponse> got = new ArrayList<>();
    CompletableFuture<QueryResult> f =
        l.query(
            "uptime",
            "p".getBytes(StandardCharsets.UTF_8),
            QueryOptions.builder().requestAck(true).metadata("role", "web|db").build(),
            got::add);
    List<SerfMessage> out = drain(l);
    assertThat(out).hasSize(1);
    SerfMessage.Query q = (SerfMessage.Query) out.get(0);
    assertThat(q.ltime()).isEqualTo(1);
    assertThat(q.addr()).isEqualTo(WireBytes.of(new byte[] {127, 0, 0, 1}));
    assertThat(q.port()).isEqualTo(7946);
    assertThat(q.sourceNode()).isEqualTo("me");
    assertThat(q.flags()).isEqualTo(1);
    assertThat(q.timeoutNanos()).isEqualTo(Duration.ofMillis(3200).toNanos());
    assertThat(SerfCodec.decodeFilter(q.filters().get(0)))
        .isEqualTo(new SerfMessage.TagFilter("role", "^(?:web|db)$"));
    // This node matches its own query: acked and answered locally.
    assertThat(queries).hasSize(1);
    assertThat(got).extracting(QueryResponse::from).containsExactly("me", "me");
    l.notifyMessage(
        bytes(new SerfMessage.QueryResponse(1, q.id(), "s1", 1, WireBytes.EMPTY)), FROM);
    l.notifyMessage(
        bytes(new SerfMessage.QueryResponse(1, q.id(), "s1", 0, WireBytes.utf8("up"))), FROM);
    l.notifyMessage(
        bytes(new SerfMessage.QueryResponse(1, q.id(), "s1", 0, WireBytes.utf8("up"))), FROM);
    l.notifyMessage(
        bytes(new SerfMessage.QueryResponse(1, q.id() + 1, "s2", 0, WireBytes.EMPTY)), FROM);
    l.notifyMessage(
        bytes(new SerfMessage.QueryResponse(99, q.id(), "s3", 0, WireBytes.EMPTY)), FROM);
    assertThat(got).hasSize(4);
    assertThat(new String(got.get(3).payload(), StandardCharsets.UTF_8)).isEqualTo("up");
    assertThat(l.stats().unknownResponses()).isEqualTo(2);
    assertThat(f).isNotDone();
    now.addAndGet(Duration.ofMillis(3200).toNanos());
    l.tick();
    QueryResult r = f.get(1, TimeUnit.SECONDS);
    assertThat(r.queryId()).isEqualTo(q.id());
    assertThat(r.timedOut()).isTrue();
    assertThat(r.acked()).containsExactlyInAnyOrder("me", "s1");
    assertThat(r.responded()).containsExactlyInAnyOrder("me", "s1");
    // Late answers are for no running query.
    l.notifyMessage(
        bytes(new SerfMessage.QueryResponse(1, q.id(), "s4", 0, WireBytes.EMPTY)), FROM);
    assertThat(got).hasSize(4);
  }

  @Test
  void queryNamingItsMembersEndsWhenAllAnswered() throws Exception {
    SerfLayer l = layer();
    CompletableFuture<QueryResult> f =
        l.query(
            "q",
            new byte[0],
            QueryOptions.builder().members(java.util.Set.of("s1")).build(),
            r -> {});
    SerfMessage.Query q = (SerfMessage.Query) drain(l).get(0);
    assertThat(SerfCodec.decodeFilter(q.filters().get(0)))
        .isEqualTo(new SerfMessage.NodeFilter(List.of("s1")));
    assertThat(queries).isEmpty(); // not for this node
    l.notifyMessage(
        bytes(new SerfMessage.QueryResponse(q.ltime(), q.id(), "s1", 0, WireBytes.EMPTY)), FROM);
    QueryResult r = f.get(1, TimeUnit.SECONDS);
    assertThat(r.timedOut()).isFalse();
    assertThat(r.targeted()).containsExactly("s1");
  }

  @Test
  void queriesAreBoundedAndTimeoutScalesWithMembers() {
    SerfLayer l = track(builder().maxPendingQueries(1).build());
    assertThatThrownBy(() -> l.query("c", new byte[1100], QueryOptions.defaults(), r -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    members.set(10);
    assertThat(l.defaultQueryTimeout()).isEqualTo(Duration.ofMillis(6400));
    CompletableFuture<QueryResult> first =
        l.query("a", new byte[0], QueryOptions.defaults(), r -> {});
    assertThat(l.query("b", new byte[0], QueryOptions.defaults(), r -> {}))
        .isCompletedExceptionally();
    l.close();
    assertThat(first).isCompletedExceptionally();
  }

  @Test
  void keyQueriesRotateTheKeyringAndAnswerAsSerf() throws Exception {
    SerfLayer l = layer();
    String k1 = Base64.getEncoder().encodeToString(K1);
    String k2 = Base64.getEncoder().encodeToString(K2);
    assertThat(keyQuery(l, 2, "_serf_install-key", K2)).isEqualTo(ok());
    assertThat(ring.keys()).containsExactly(WireBytes.of(K1), WireBytes.of(K2));
    assertThat(keyQuery(l, 3, "_serf_install-key", K2)).isEqualTo(ok()); // already there
    assertThat(keyQuery(l, 4, "_serf_remove-key", K1).message())
        .isEqualTo("removing the primary key is not allowed");
    assertThat(keyQuery(l, 5, "_serf_use-key", K2)).isEqualTo(ok());
    assertThat(ring.primary()).isEqualTo(WireBytes.of(K2));
    assertThat(keyQuery(l, 6, "_serf_list-keys", new byte[0]))
        .isEqualTo(new SerfMessage.KeyResponse(true, "", List.of(k2, k1), k2));
    assertThat(keyQuery(l, 7, "_serf_remove-key", K1)).isEqualTo(ok());
    assertThat(ring.keys()).containsExactly(WireBytes.of(K2));
    assertThat(keyQuery(l, 8, "_serf_use-key", K1).message())
        .isEqualTo("requested key is not in the keyring");
    assertThat(keyQuery(l, 9, "_serf_install-key", new byte[5]).message())
        .isEqualTo("key size must be 16, 24 or 32 bytes");
    assertThat(l.stats().keyOperations()).isEqualTo(8);
    assertThat(queries).isEmpty(); // internal queries never reach the handler
    ring = null;
    assertThat(keyQuery(l, 10, "_serf_install-key", K1).message())
        .isEqualTo("No keyring to modify (encryption not enabled)");
    assertThat(keyQuery(l, 11, "_serf_list-keys", new byte[0]).result()).isFalse();
  }

  @Test
  void longKeyListIsTruncatedToTheResponseLimit() throws Exception {
    byte[][] more = new byte[59][];
    for (int i = 0; i < more.length; i++) {
      more[i] = key(100 + i);
    }
    ring = Keyring.of(K1, more);
    SerfLayer l = layer();
    SerfMessage.KeyResponse r = keyQuery(l, 2, "_serf_list-keys", new byte[0]);
    assertThat(r.result()).isTrue();
    assertThat(r.keys()).hasSizeLessThan(60).isNotEmpty();
    assertThat(r.message()).startsWith("truncated key list response, showing first");
    assertThat(sent.get(sent.size() - 1).getValue().length).isLessThanOrEqualTo(1024);
  }

  private SerfMessage.KeyResponse keyQuery(SerfLayer l, long ltime, String name, byte[] key)
      throws MemberlistDecodeException {
    byte[] payload = bytes(new SerfMessage.KeyRequest(WireBytes.of(key)));
    SerfMessage.Query q = query(ltime, ltime, 0, List.of(), name, WireBytes.of(payload));
    int before = sent.size();
    l.notifyMessage(bytes(q), FROM);
    assertThat(sent).hasSize(before + 1);
    SerfMessage.QueryResponse resp =
        (SerfMessage.QueryResponse) decode(sent.get(before).getValue());
    assertThat(resp.from()).isEqualTo("me");
    assertThat(resp.ltime()).isEqualTo(ltime);
    return (SerfMessage.KeyResponse) decode(resp.payload().toByteArray());
  }

  private static SerfMessage.KeyResponse ok() {
    return new SerfMessage.KeyResponse(true, "", List.of(), "");
  }

  @Test
  void internalPingIsOnlyAckedAndConflictIsAnsweredFromTheLookup() throws Exception {
    SerfLayer noLookup = layer();
    SerfMessage.Query ping = query(2, 1, 1, List.of(), "_serf_ping", WireBytes.EMPTY);
    noLookup.notifyMessage(bytes(ping), FROM);
    assertThat(sent).hasSize(1);
    assertThat(((SerfMessage.QueryResponse) decode(sent.get(0).getValue())).flags()).isEqualTo(1);
    SerfMessage.Query conflict = query(3, 2, 0, List.of(), "_serf_conflict", WireBytes.utf8("dup"));
    noLookup.notifyMessage(bytes(conflict), FROM);
    assertThat(sent).hasSize(1); // no lookup: no vote
    assertThat(queries).isEmpty();

    sent.clear();
    SerfLayer withLookup =
        track(
            builder()
                .memberLookup(
                    n ->
                        n.equals("dup")
                            ? new SerfMemberInfo(
                                "dup", new InetSocketAddress("127.0.0.5", 7950), Map.of("r", "x"))
                            : null)
                .build());
    withLookup.notifyMessage(bytes(conflict), FROM);
    SerfMessage.QueryResponse r = (SerfMessage.QueryResponse) decode(sent.get(0).getValue());
    assertThat(decode(r.payload().toByteArray()))
        .isEqualTo(
            new SerfMessage.ConflictResponse(
                "dup", WireBytes.of(new byte[] {127, 0, 0, 5}), 7950, Map.of("r", "x")));
    SerfMessage.Query unknown =
        query(4, 3, 0, List.of(), "_serf_conflict", WireBytes.utf8("nobody"));
    withLookup.notifyMessage(bytes(unknown), FROM);
    assertThat(((SerfMessage.QueryResponse) decode(sent.get(1).getValue())).payload())
        .isEqualTo(SerfCodec.encodeUnknownConflictMember());
  }

  @Test
  void relayedResponseIsForwardedToItsDestination() throws Exception {
    SerfLayer l = layer();
    SerfMessage.QueryResponse inner =
        new SerfMessage.QueryResponse(1, 2, "s5", 0, WireBytes.utf8("x"));
    l.notifyMessage(bytes(new SerfMessage.Relay(ASKER_IP, 8001, "asker", inner)), FROM);
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).getKey()).isEqualTo(new NodeAddress("127.0.0.9", 8001));
    assertThat(decode(sent.get(0).getValue())).isEqualTo(inner);
    assertThat(l.stats().relayed()).isEqualTo(1);
    l.notifyMessage(
        bytes(new SerfMessage.Relay(ASKER_IP, 8001, "asker", new SerfMessage.Join(1, "x"))), FROM);
    assertThat(sent).hasSize(1);
  }

  @Test
  void malformedInputIsCountedAndNeverThrows() {
    SerfLayer l = layer();
    SplittableRandom rnd = new SplittableRandom(65);
    List<byte[]> valid =
        List.of(
            bytes(new SerfMessage.Join(3, "a")),
            bytes(new SerfMessage.UserEvent(4, "e", WireBytes.utf8("p"), true)),
            bytes(
                query(
                    5,
                    6,
                    1,
                    List.of(SerfCodec.encodeFilter(new SerfMessage.TagFilter("role", "w"))))),
            bytes(new SerfMessage.QueryResponse(1, 2, "x", 0, WireBytes.EMPTY)),
            l.localState(false));
    int inputs = 0;
    for (byte[] v : valid) {
      for (int cut = 0; cut < v.length; cut++) {
        l.notifyMessage(java.util.Arrays.copyOf(v, cut), FROM);
        l.mergeRemoteState(java.util.Arrays.copyOf(v, cut), false);
        inputs++;
      }
      for (int i = 0; i < 2000; i++) {
        byte[] m = v.clone();
        m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
        l.notifyMessage(m, FROM);
        l.mergeRemoteState(m, rnd.nextBoolean());
        inputs++;
      }
    }
    for (int i = 0; i < 5000; i++) {
      byte[] junk = new byte[rnd.nextInt(64)];
      rnd.nextBytes(junk);
      l.notifyMessage(junk, FROM);
      l.mergeRemoteState(junk, false);
      inputs++;
    }
    assertThat(inputs).isGreaterThan(15_000);
    assertThat(l.stats().malformed()).isGreaterThan(1000);
    l.notifyMessage(bytes(new SerfMessage.PushPull(1, Map.of(), List.of(), 1, List.of(), 1)), FROM);
    l.mergeRemoteState(bytes(new SerfMessage.Join(1, "x")), false);
    // Still working afterwards.
    events.clear();
    l.notifyMessage(
        bytes(new SerfMessage.UserEvent(l.eventTime(), "fine", WireBytes.EMPTY, false)), FROM);
    assertThat(events).extracting(UserBroadcast::topic).containsExactly("fine");
  }

  @Test
  void fullHandlerQueueDropsAndAThrowingHandlerIsContained() {
    List<Runnable> parked = new ArrayList<>();
    SerfLayer l = track(builder().executor(parked::add).queueCapacity(2).build());
    for (int i = 0; i < 5; i++) {
      l.notifyMessage(
          bytes(new SerfMessage.UserEvent(10 + i, "e" + i, WireBytes.EMPTY, false)), FROM);
    }
    assertThat(l.stats().deliveriesDropped()).isEqualTo(3);
    assertThat(parked).hasSize(1);
    parked.get(0).run();
    assertThat(events).extracting(UserBroadcast::topic).containsExactly("e0", "e1");

    SerfLayer throwing =
        track(
            builder()
                .handler(
                    new UserMessageHandler() {
                      @Override
                      public void onBroadcast(UserBroadcast b) {
                        events.add(b);
                        throw new IllegalStateException("handler bug");
                      }
                    })
                .build());
    events.clear();
    throwing.notifyMessage(bytes(new SerfMessage.UserEvent(3, "a", WireBytes.EMPTY, false)), FROM);
    throwing.notifyMessage(bytes(new SerfMessage.UserEvent(4, "b", WireBytes.EMPTY, false)), FROM);
    assertThat(events).hasSize(2);
    assertThat(throwing.stats().handlerFailures()).isEqualTo(2);
  }

  @Test
  void ownThreadsDeliverAndTickWhenNoExecutorIsGiven() throws Exception {
    CompletableFuture<UserBroadcast> got = new CompletableFuture<>();
    SerfLayer l =
        track(
            SerfLayer.builder("me")
                .memberCount(() -> 2)
                .sender((to, m) -> {})
                .advertise(() -> new InetSocketAddress("127.0.0.1", 7946))
                .handler(
                    new UserMessageHandler() {
                      @Override
                      public void onBroadcast(UserBroadcast b) {
                        got.complete(b);
                      }
                    })
                .build());
    l.notifyMessage(bytes(new SerfMessage.UserEvent(3, "t", WireBytes.EMPTY, false)), FROM);
    assertThat(got.get(5, TimeUnit.SECONDS).topic()).isEqualTo("t");
    CompletableFuture<QueryResult> q =
        l.query(
            "x",
            new byte[0],
            QueryOptions.builder().timeout(Duration.ofMillis(50)).build(),
            r -> {});
    assertThat(q.get(5, TimeUnit.SECONDS).timedOut()).isTrue();
    assertThatThrownBy(() -> SerfLayer.builder("me").build())
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> SerfLayer.builder("").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().eventBuffer(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
