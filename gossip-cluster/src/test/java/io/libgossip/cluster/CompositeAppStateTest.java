package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.AppState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Named sections behind one anti-entropy hook. */
class CompositeAppStateTest {
  /** A section that sends a fixed text and records what it merges. */
  private static final class Text implements AppState {
    final String out;
    final List<String> merged = new ArrayList<>();

    Text(String out) {
      this.out = out;
    }

    @Override
    public byte[] localState(boolean join) {
      return out.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void mergeRemoteState(String from, byte[] state, boolean join) {
      merged.add(from + ":" + new String(state, StandardCharsets.UTF_8));
    }
  }

  @Test
  void eachSectionGetsThePeersSectionOfTheSameName() {
    Text a1 = new Text("config-a");
    Text a2 = new Text("app-a");
    CompositeAppState a =
        CompositeAppState.builder().section("config", a1).section("app", a2).build();
    Text b1 = new Text("config-b");
    Text b2 = new Text("");
    Text b3 = new Text("extra-b");
    CompositeAppState b =
        CompositeAppState.builder()
            .section("app", b2)
            .section("config", b1)
            .section("extra", b3)
            .build();
    b.mergeRemoteState("a", a.localState(false), false);
    a.mergeRemoteState("b", b.localState(false), false);
    assertThat(b1.merged).containsExactly("a:config-a");
    assertThat(b2.merged).containsExactly("a:app-a");
    assertThat(a1.merged).containsExactly("b:config-b");
    assertThat(a2.merged).isEmpty(); // b's app section was empty: not sent
    assertThat(a.unknownSections()).isEqualTo(1); // b's extra
    assertThat(new Text("").merged).isEmpty();
    assertThat(CompositeAppState.builder().section("x", new Text("")).build().localState(true))
        .isEmpty();
  }

  @Test
  void malformedStatesAreCountedAndMergeNothingAThrowingSectionDoesNotStopTheOthers() {
    Text ok = new Text("fine");
    CompositeAppState src =
        CompositeAppState.builder().section("one", ok).section("two", new Text("also")).build();
    byte[] s = src.localState(false);
    Text got = new Text("");
    AppState throwing =
        new AppState() {
          @Override
          public byte[] localState(boolean join) {
            throw new IllegalStateException("boom");
          }

          @Override
          public void mergeRemoteState(String from, byte[] state, boolean join) {
            throw new IllegalStateException("boom");
          }
        };
    CompositeAppState dst =
        CompositeAppState.builder().section("one", throwing).section("two", got).build();
    for (int len = 0; len < s.length; len++) {
      dst.mergeRemoteState("bad", Arrays.copyOf(s, len), false);
    }
    dst.mergeRemoteState("bad", Arrays.copyOf(s, s.length + 1), false);
    assertThat(dst.malformed()).isEqualTo(s.length + 1);
    assertThat(got.merged).isEmpty();
    dst.mergeRemoteState("ok", s, false);
    assertThat(got.merged).containsExactly("ok:also");
    assertThat(dst.sectionFailures()).isEqualTo(1);
    byte[] out = dst.localState(false); // the throwing section is left out
    assertThat(dst.sectionFailures()).isEqualTo(2);
    Text back = new Text("");
    CompositeAppState.builder().section("two", back).build().mergeRemoteState("d", out, false);
    assertThat(back.merged).isEmpty(); // "two" of dst sends nothing (empty text)
  }

  @Test
  void sectionNamesAreChecked() {
    CompositeAppState.Builder b = CompositeAppState.builder().section("a", new Text(""));
    assertThatThrownBy(() -> b.section("a", new Text(""))).hasMessageContaining("already");
    assertThatThrownBy(() -> b.section("", new Text(""))).hasMessageContaining("printable ASCII");
    assertThatThrownBy(() -> b.section("a b", new Text("")))
        .hasMessageContaining("printable ASCII");
    assertThatThrownBy(() -> b.section("x".repeat(65), new Text("")))
        .hasMessageContaining("printable ASCII");
  }

  @Test
  void aClusterConfigRidesInASection() {
    ClusterConfig c1 = ClusterConfig.builder("a").build();
    ClusterConfig c2 = ClusterConfig.builder("b").build();
    c1.put("k", "v");
    CompositeAppState s1 = CompositeAppState.builder().section("config", c1.appState()).build();
    CompositeAppState s2 = CompositeAppState.builder().section("config", c2.appState()).build();
    s2.mergeRemoteState("a", s1.localState(false), false);
    assertThat(c2.getString("k")).contains("v");
  }
}
