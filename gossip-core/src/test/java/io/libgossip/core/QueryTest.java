package io.libgossip.core;

import static io.libgossip.core.TestCluster.MS;
import static io.libgossip.core.TestCluster.SEC;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Queries: targets, filters, retries, early completion, departed targets (see {@link
 * GossipCore#query}).
 */
class QueryTest {
  private final List<Inbox> inboxes = new ArrayList<>();

  /** Which nodes answer the queries they get (a test step, since handlers must not call back). */
  private final Set<Integer> silent = new HashSet<>();

  private TestCluster cluster(int n, GossipConfig config, double loss) {
    TestCluster c =
        new TestCluster(
            n,
            config,
            11,
            (i, b) -> {
              Inbox inbox = new Inbox();
              if (i < inboxes.size()) {
                inboxes.set(i, inbox);
              } else {
                inboxes.add(inbox);
              }
              b.messageHandler(inbox);
              b.metadata(Map.of("role", i % 2 == 0 ? "web" : "db"));
            });
    c.joinAll();
    c.runFor(5 * SEC);
    assertThat(c.converged()).isTrue();
    c.loss = loss;
    return c;
  }

  /** Runs {@code duration} in 1 ms steps; every node not silent answers each new query at once. */
  private void run(TestCluster c, long duration) {
    int[] answered = new int[c.cores.size()];
    for (int i = 0; i < answered.length; i++) {
      answered[i] = inboxes.get(i).queries.size();
    }
    long until = c.now + duration;
    while (c.now - until < 0) {
      c.runFor(1 * MS);
      for (int i = 0; i < c.cores.size(); i++) {
        List<QueryRequest> qs = inboxes.get(i).queries;
        for (; answered[i] < qs.size(); answered[i]++) {
          QueryRequest q = qs.get(answered[i]);
          if (!silent.contains(i) && !c.crashed.contains(i)) {
            c.core(i).respondToQuery(q, ("from n" + i).getBytes(), c.now);
          }
        }
      }
    }
  }

  @Test
  void aQueryToAllEndsAsSoonAsEveryoneAnsweredNotAtTheTimeout() {
    TestCluster c = cluster(8, GossipConfig.lan(), 0);
    long start = c.now;
    long id = c.core(0).query("ping-all", new byte[] {1}, QueryOptions.defaults(), c.now);
    assertThat(inboxes.get(0).queries).as("never from within the call").isEmpty();
    run(c, 200 * MS);
    assertThat(inboxes.get(0).queriesDone).hasSize(1);
    QueryResult r = inboxes.get(0).queriesDone.get(0);
    assertThat(r.queryId()).isEqualTo(id);
    assertThat(r.timedOut()).isFalse();
    assertThat(r.targeted()).hasSize(8).contains("n0");
    assertThat(r.responded()).isEqualTo(r.targeted());
    assertThat(r.departed()).isEmpty();
    assertThat(inboxes.get(0).queryResponses).hasSize(8).allMatch(q -> !q.ack());
    for (int i = 0; i < 8; i++) {
      assertThat(inboxes.get(i).queries).as("n%d delivered once", i).hasSize(1);
    }
    assertThat(c.core(0).pendingOutcomes()).isZero();
    assertThat(c.now - start).isLessThan(GossipConfig.lan().queryTimeout().toNanos());
  }

  @Test
  void underHeavyLossRetriesReachEveryTargetAndNoQueryIsDeliveredTwice() {
    TestCluster c = cluster(10, GossipConfig.lan(), 0);
    c.loss = 0.4;
    c.core(3).query("q", new byte[0], QueryOptions.defaults(), c.now);
    run(c, 2 * SEC);
    QueryResult r = inboxes.get(3).queriesDone.get(0);
    assertThat(r.timedOut()).isFalse();
    assertThat(r.responded()).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(inboxes.get(i).queries).as("n%d delivered once", i).hasSize(1);
    }
    assertThat(inboxes.get(3).queryResponses).hasSize(10);
    long duplicates = 0;
    for (GossipCore core : c.cores) {
      duplicates += core.drops(DropReason.DUPLICATE_QUERY);
    }
    assertThat(duplicates).as("repeated copies were answered from memory").isPositive();
  }

  @Test
  void aTargetThatCrashesMovesToDepartedAndTheQueryEndsWhenItIsDeclaredDead() {
    TestCluster c = cluster(6, GossipConfig.lan(), 0);
    c.crash(4);
    long id =
        c.core(0)
            .query(
                "q",
                new byte[0],
                QueryOptions.builder().timeout(Duration.ofMinutes(5)).build(),
                c.now);
    run(c, 40 * SEC);
    assertThat(inboxes.get(0).queriesDone).hasSize(1);
    QueryResult r = inboxes.get(0).queriesDone.get(0);
    assertThat(r.queryId()).isEqualTo(id);
    assertThat(r.timedOut()).isFalse();
    assertThat(r.departed()).containsExactly("n4");
    assertThat(r.responded()).hasSize(5).doesNotContain("n4");
  }

  @Test
  void aTargetThatDoesNotAnswerMakesTheQueryTimeOut() {
    TestCluster c = cluster(4, GossipConfig.lan(), 0);
    silent.add(2);
    c.core(0)
        .query(
            "q",
            new byte[0],
            QueryOptions.builder().timeout(Duration.ofMillis(800)).requestAck(true).build(),
            c.now);
    run(c, 500 * MS);
    assertThat(inboxes.get(0).queriesDone).isEmpty();
    run(c, 400 * MS);
    QueryResult r = inboxes.get(0).queriesDone.get(0);
    assertThat(r.timedOut()).isTrue();
    assertThat(r.acked()).hasSize(4);
    assertThat(r.responded()).hasSize(3).doesNotContain("n2");
    assertThat(inboxes.get(0).queryResponses).filteredOn(QueryResponse::ack).hasSize(4);
    assertThat(inboxes.get(2).queries).as("an acknowledged target gets no retries").hasSize(1);
  }

  @Test
  void filtersPickTargetsAndTargetsCheckThemAgainstTheirOwnMetadata() {
    TestCluster c = cluster(6, GossipConfig.lan(), 0);
    c.core(1)
        .query("q", new byte[0], QueryOptions.builder().metadata("role", "web").build(), c.now);
    run(c, 200 * MS);
    QueryResult r = inboxes.get(1).queriesDone.get(0);
    assertThat(r.targeted()).containsExactlyInAnyOrder("n0", "n2", "n4");
    assertThat(r.timedOut()).isFalse();
    c.core(1)
        .query("q", new byte[0], QueryOptions.builder().members(Set.of("n3", "n1")).build(), c.now);
    run(c, 200 * MS);
    assertThat(inboxes.get(1).queriesDone.get(1).responded()).containsExactlyInAnyOrder("n1", "n3");

    // a query whose filters do not match the target (the origin's view was stale)
    TreeMap<String, String> filters = new TreeMap<>(Map.of("role", "db"));
    Received got =
        c.core(0)
            .handleMessage(
                new QueryMessage(
                    "n1",
                    TestCluster.addr(1),
                    999,
                    "q",
                    false,
                    1000,
                    filters,
                    new byte[0],
                    List.of()),
                c.now);
    assertThat(got).isEqualTo(new Received.Dropped(DropReason.QUERY_NOT_TARGETED));
    assertThat(c.core(0).drops(DropReason.QUERY_NOT_TARGETED)).isEqualTo(1);
  }

  @Test
  void aRunawayPatternCountsAsNoMatch() {
    long t0 = System.nanoTime();
    assertThat(Queries.matches(Map.of("k", "(a+)+b"), Map.of("k", "a".repeat(40)))).isFalse();
    assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
    assertThat(Queries.matches(Map.of("k", "a+"), Map.of("k", "aaa"))).isTrue();
    assertThat(Queries.matches(Map.of("k", "a+"), Map.of())).isFalse();
  }

  @Test
  void aLargeAnswerGoesOverTheReliablePathAndASmallOneBestEffort() {
    TestCluster c = cluster(3, GossipConfig.lan(), 0);
    c.recordSends = true;
    long id =
        c.core(0)
            .query(
                "q",
                new byte[0],
                QueryOptions.builder().members(Set.of("n1", "n2")).build(),
                c.now);
    c.runFor(20 * MS);
    c.core(1).respondToQuery(inboxes.get(1).queries.get(0), new byte[64], c.now);
    c.core(2).respondToQuery(inboxes.get(2).queries.get(0), new byte[50_000], c.now);
    c.runFor(20 * MS);
    assertThat(c.sends)
        .filteredOn(s -> s.message() instanceof QueryReplyMessage)
        .extracting(s -> s.from() + ":" + s.delivery())
        .containsExactlyInAnyOrder("1:BEST_EFFORT", "2:RELIABLE");
    QueryResult r = inboxes.get(0).queriesDone.get(0);
    assertThat(r.queryId()).isEqualTo(id);
    assertThat(r.responded()).containsExactlyInAnyOrder("n1", "n2");
    assertThat(inboxes.get(0).queryResponses)
        .extracting(q -> q.payload().length)
        .containsExactlyInAnyOrder(64, 50_000);
  }

  @Test
  void aQueryThatTargetsNoOneEndsFromTheNextTickAndForgedRepliesAreCounted() {
    TestCluster c = cluster(3, GossipConfig.lan(), 0);
    long id =
        c.core(0)
            .query(
                "q", new byte[0], QueryOptions.builder().metadata("role", "none").build(), c.now);
    assertThat(inboxes.get(0).queriesDone).isEmpty();
    c.runFor(1 * MS);
    assertThat(inboxes.get(0).queriesDone).hasSize(1);
    assertThat(inboxes.get(0).queriesDone.get(0).targeted()).isEmpty();
    Received r =
        c.core(0)
            .handleMessage(
                new QueryReplyMessage("n1", TestCluster.addr(1), id, false, new byte[0], List.of()),
                c.now);
    assertThat(r).isEqualTo(new Received.Dropped(DropReason.UNEXPECTED_REPLY));
  }

  @Test
  void aTargetOlderThanVersion4IsLeftOutAndCounted() {
    TestCluster c = cluster(3, GossipConfig.lan(), 0);
    c.core(0).table.get("n2").wireVersions = new WireVersions(2, 3);
    c.core(0).query("q", new byte[0], QueryOptions.defaults(), c.now);
    run(c, 100 * MS);
    assertThat(inboxes.get(0).queriesDone.get(0).targeted()).containsExactlyInAnyOrder("n0", "n1");
    assertThat(inboxes.get(2).queries).isEmpty();
    assertThat(c.core(0).drops(DropReason.PEER_TOO_OLD)).isEqualTo(1);
  }
}
