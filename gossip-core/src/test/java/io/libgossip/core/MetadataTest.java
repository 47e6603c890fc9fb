package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.SELF_ADDR;
import static io.libgossip.core.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.RecordingOutbox.Sent;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Metadata ownership, versioning, size bounds and accessors. */
class MetadataTest {
  /** {"k": "v" x n} takes 1 + 1 + 1 + varint(n) + n bytes. */
  private static Map<String, String> metaOfEncodedSize(int bytes) {
    int n = bytes - 3 - (bytes - 5 >= 128 ? 2 : 1);
    Map<String, String> m = Map.of("k", "v".repeat(n));
    return m;
  }

  @Test
  void metaHelperComputesTheEncodedSize() {
    // The same arithmetic as the serializer: one update's size differs by exactly that much.
    MemberUpdate empty = online("x", 0, Map.of(), 0);
    for (int size : new int[] {100, 511, 512, 513}) {
      MemberUpdate u = online("x", 0, metaOfEncodedSize(size), 0);
      assertThat(WireSizes.updateSize(u) - WireSizes.updateSize(empty) + 1)
          .as("size %d", size)
          .isEqualTo(size);
    }
  }

  @Test
  void updateMetadataBumpsIncarnationAndVersionAndSpreadsIt() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.advance(5 * SEC);
    Map<String, String> meta = Map.of("role", "db", "region", "eu-west");

    f.core.updateMetadata(meta, f.now);

    NodeView self = f.core.self();
    assertThat(self.incarnation()).isEqualTo(1);
    assertThat(self.metadataVersion()).isEqualTo(1);
    assertThat(self.metadata()).isEqualTo(meta);
    assertThat(self.role()).isEqualTo("db");
    assertThat(self.region()).isEqualTo("eu-west");
    MemberUpdate claim = new MemberUpdate(SELF, SELF_ADDR, NodeStatus.ONLINE, 1, meta, 1, 0, SELF);
    Sent next = f.runUntilSent(s -> !s.message().updates().isEmpty(), SEC);
    assertThat(next.message().updates()).first().isEqualTo(claim);

    f.core.updateMetadata(Map.of(), f.now);
    assertThat(f.core.self().incarnation()).isEqualTo(2);
    assertThat(f.core.self().metadataVersion()).isEqualTo(2);
    assertThat(f.core.self().role()).isEmpty();
  }

  @Test
  void metadataAtTheLimitIsAcceptedAndOneByteMoreIsRejectedNamingTheLimit() {
    CoreFixture f = CoreFixture.withPeers("a");
    int limit = f.config.maxMetadataBytes();

    f.core.updateMetadata(metaOfEncodedSize(limit), f.now);
    assertThat(f.core.self().metadataVersion()).isEqualTo(1);

    assertThatThrownBy(() -> f.core.updateMetadata(metaOfEncodedSize(limit + 1), f.now))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMetadataBytes")
        .hasMessageContaining(String.valueOf(limit))
        .hasMessageContaining(String.valueOf(limit + 1));
    assertThat(f.core.self().metadataVersion()).as("unchanged").isEqualTo(1);
    assertThat(f.core.self().incarnation()).isEqualTo(1);
  }

  @Test
  void builderRejectsOversizedOrInvalidMetadata() {
    GossipCore.Builder b =
        GossipCore.builder()
            .id("n")
            .address(SELF_ADDR)
            .random(new SplittableRandom(1))
            .outbox(new RecordingOutbox());

    assertThatThrownBy(() -> b.metadata(metaOfEncodedSize(513)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMetadataBytes");
    assertThatThrownBy(() -> b.metadata(Map.of("", "v")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata key");
    Map<String, String> withNull = new HashMap<>();
    withNull.put("k", null);
    assertThatThrownBy(() -> b.metadata(withNull).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
  }

  @Test
  void inboundClaimWithOversizedMetadataIsDroppedAsTooLarge() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    int limit = f.config.maxMetadataBytes();
    f.listener.clear();

    f.gossip("a", online("big", 0, metaOfEncodedSize(limit + 1), 1));
    f.gossip("x", online("x", 1, metaOfEncodedSize(limit + 1), 1));

    assertThat(f.core.findNode("big")).isEmpty();
    assertThat(f.view("x").incarnation()).isZero();
    assertThat(f.view("x").metadata()).isEmpty();
    assertThat(f.listener.events()).isEmpty();
    assertThat(f.core.stats().drops()).containsEntry(DropReason.TOO_LARGE, 2L);

    f.gossip("a", online("fits", 0, metaOfEncodedSize(limit), 1));
    assertThat(f.core.findNode("fits")).isPresent();
  }

  @Test
  void receiversKeepTheHighestVersion() {
    CoreFixture f = CoreFixture.withPeers("a", "x");

    f.gossip("x", online("x", 3, Map.of("v", "3"), 3));
    f.gossip("a", online("x", 2, Map.of("v", "2"), 2));

    assertThat(f.view("x").metadata()).containsEntry("v", "3");
    assertThat(f.view("x").metadataVersion()).isEqualTo(3);
  }

  @Test
  void roleAndRegionAccessorsReadTheWellKnownKeys() {
    NodeView v =
        new NodeView(
            "n",
            SELF_ADDR,
            NodeStatus.ONLINE,
            0,
            Map.of("role", "web", "region", "ap"),
            1,
            0,
            0,
            0);
    NodeView bare = NodeView.ofAddress(SELF_ADDR);

    assertThat(v.role()).isEqualTo("web");
    assertThat(v.region()).isEqualTo("ap");
    assertThat(bare.role()).isEmpty();
    assertThat(bare.region()).isEmpty();
    assertThat(bare.hasId()).isFalse();
    assertThat(v.hasId()).isTrue();
    assertThat(NodeView.ROLE).isEqualTo("role");
    assertThat(NodeView.REGION).isEqualTo("region");
  }

  @Test
  void initialMetadataFromTheBuilderIsAnnounced() {
    CoreFixture f =
        new CoreFixture(
            GossipConfig.lan(), 1, b -> b.metadata(Map.of("role", "db")).configEpoch(7));
    f.core.join(java.util.List.of(CoreFixture.addr("seed")), f.now);

    MemberUpdate announced =
        f.outbox.messages(GossipMessage.PushPull.class).get(0).updates().get(0);

    assertThat(announced.metadata()).containsEntry("role", "db");
    assertThat(announced.configEpoch()).isEqualTo(7);
    assertThat(f.core.self().role()).isEqualTo("db");
  }

  /**
   * Regression: a local update accepted two keys that encode to the same bytes ('?'), which every
   * later encode of this node's claim then failed on.
   */
  @Test
  void keysThatEncodeAlikeAreRejectedLocallyAsOnTheWire() {
    CoreFixture f = CoreFixture.withPeers("a");
    // unpaired surrogates, which would both go out as '?', are not printable: refused as keys
    assertThatThrownBy(() -> f.core.updateMetadata(Map.of("\uD800", "x", "\uDC00", "y"), f.now))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata key must not contain U+D");
    assertThat(f.core.self().metadataVersion()).isZero();
  }
}
