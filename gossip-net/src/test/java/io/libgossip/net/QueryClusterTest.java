package io.libgossip.net;

import static io.libgossip.net.MessagingCluster.WAIT;
import static io.libgossip.net.MessagingCluster.bytes;
import static io.libgossip.net.MessagingCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Queries between real nodes on loopback. */
class QueryClusterTest {
  private final MessagingCluster cluster = new MessagingCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void aQueryToAllCompletesAsSoonAsEveryTargetAnsweredNotAtItsTimeout() throws Exception {
    List<GossipNode> c = cluster.start(5);
    List<QueryResponse> responses = new CopyOnWriteArrayList<>();
    Duration timeout = Duration.ofSeconds(15);
    long start = System.nanoTime();
    QueryResult r =
        c.get(0)
            .query(
                "who",
                bytes("?"),
                QueryOptions.builder().timeout(timeout).requestAck(true).build(),
                responses::add)
            .get(timeout.toSeconds() + 5, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Set<String> all = Set.of("n0", "n1", "n2", "n3", "n4");
    assertThat(r.timedOut()).isFalse();
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    assertThat(r.targeted()).isEqualTo(all); // the origin included: it matches
    assertThat(r.responded()).isEqualTo(all);
    assertThat(r.departed()).isEmpty();
    List<String> answers =
        responses.stream().filter(x -> !x.ack()).map(x -> text(x.payload())).toList();
    assertThat(answers)
        .containsExactlyInAnyOrderElementsOf(all.stream().map(id -> "answer from " + id).toList());
    assertThat(responses).allSatisfy(x -> assertThat(x.queryId()).isEqualTo(r.queryId()));
  }

  @Test
  void aQueryFilteredByMetadataTargetsOnlyTheMatchingMembers() throws Exception {
    for (int i = 0; i < 4; i++) {
      String role = i % 2 == 0 ? "web" : "db";
      cluster.start("n" + i, b -> b.metadata("role", role));
    }
    cluster.awaitOnline(4);
    QueryResult r =
        cluster
            .nodes
            .get(1)
            .query(
                "who", bytes("?"), QueryOptions.builder().metadata("role", "web").build(), x -> {})
            .get(20, TimeUnit.SECONDS);
    assertThat(r.targeted()).containsExactlyInAnyOrder("n0", "n2");
    assertThat(r.responded()).containsExactlyInAnyOrder("n0", "n2");
    assertThat(r.timedOut()).isFalse();
    assertThat(cluster.inbox("n1").queries).isEmpty();
    assertThat(cluster.inbox("n3").queries).isEmpty();
  }

  @Test
  void aQueryWhoseTargetsIncludeACrashedNodeCompletesOnceItIsDeclaredFailed() throws Exception {
    List<GossipNode> c = cluster.start(4);
    c.get(3).close(); // a crash: no leave, the others must detect it
    Duration timeout = Duration.ofSeconds(30);
    long start = System.nanoTime();
    CompletableFuture<QueryResult> f =
        c.get(0).query("who", bytes("?"), QueryOptions.builder().timeout(timeout).build(), x -> {});
    QueryResult r = f.get(timeout.toSeconds() + 10, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    // n3 was still alive in n0's view when the query went out (detection takes over a second)
    assertThat(r.targeted()).contains("n3");
    assertThat(r.responded()).doesNotContain("n3").contains("n0", "n1", "n2");
    assertThat(r.departed()).containsExactly("n3");
    assertThat(r.timedOut()).isFalse(); // ended by the failure detector, not the timeout
    assertThat(took).isLessThan(timeout);
    await()
        .atMost(WAIT)
        .until(() -> c.get(0).findNode("n3").orElseThrow().status() == NodeStatus.FAILED);
  }
}
