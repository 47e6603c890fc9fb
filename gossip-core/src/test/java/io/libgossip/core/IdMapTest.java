package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IdMapTest {

  /** A value stored under its own id. */
  private static final class Item extends IdMap.Keyed {
    final int value;

    Item(String key, int value) {
      super(key);
      this.value = value;
    }
  }

  private static Integer valueOf(Item item) {
    return item == null ? null : item.value;
  }

  @Test
  void behavesLikeAHashMapUnderRandomOperations() {
    // Keys built from "Aa"/"BB" blocks share hash codes, so probe runs, wrap-around and
    // backward-shift deletion are all exercised, not just the happy path.
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      StringBuilder b = new StringBuilder();
      for (int bit = 0; bit < 6; bit++) {
        b.append((i >> bit & 1) == 0 ? "Aa" : "BB");
      }
      keys.add(b.toString());
    }
    for (int i = 0; i < 200; i++) {
      keys.add("node-" + i);
    }
    for (long seed = 1; seed <= 20; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      IdMap<Item> map = new IdMap<>();
      Map<String, Integer> model = new HashMap<>();
      for (int step = 0; step < 5_000; step++) {
        // A fresh String instance half the time: lookups must not rely on identity.
        String k = keys.get(random.nextInt(keys.size()));
        String key = random.nextBoolean() ? k : new String(k);
        int op = random.nextInt(10);
        if (op < 4) {
          int v = random.nextInt(1000);
          assertThat(valueOf(map.put(new Item(key, v)))).isEqualTo(model.put(key, v));
        } else if (op < 7) {
          assertThat(valueOf(map.remove(key))).isEqualTo(model.remove(key));
        } else if (op < 9) {
          assertThat(valueOf(map.get(key))).isEqualTo(model.get(key));
        } else if (random.nextInt(50) == 0) {
          map.clear();
          model.clear();
        }
        assertThat(map.size()).isEqualTo(model.size());
        assertThat(map.isEmpty()).isEqualTo(model.isEmpty());
      }
      for (String k : keys) {
        assertThat(valueOf(map.get(k))).as("key %s, seed %d", k, seed).isEqualTo(model.get(k));
        assertThat(map.containsKey(k)).isEqualTo(model.containsKey(k));
      }
    }
  }

  @Test
  void growsAndShrinksThroughManyEntries() {
    IdMap<Item> map = new IdMap<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(map.put(new Item("m" + i, i))).isNull();
    }
    assertThat(map.size()).isEqualTo(10_000);
    for (int i = 0; i < 10_000; i += 2) {
      assertThat(valueOf(map.remove("m" + i))).isEqualTo(i);
    }
    for (int i = 0; i < 10_000; i++) {
      assertThat(valueOf(map.get("m" + i))).isEqualTo(i % 2 == 0 ? null : i);
    }
    assertThat(map.remove("absent")).isNull();
    assertThat(map.size()).isEqualTo(5_000);
  }

  @Test
  void replacesTheValueStoredUnderAnEqualId() {
    IdMap<Item> map = new IdMap<>();
    Item first = new Item("a", 1);
    assertThat(map.put(first)).isNull();
    assertThat(map.put(new Item(new String("a"), 2))).isSameAs(first);
    assertThat(map.size()).isEqualTo(1);
    assertThat(valueOf(map.get("a"))).isEqualTo(2);
  }

  @Test
  void rejectsNullValues() {
    assertThatThrownBy(() -> new IdMap<Item>().put(null)).isInstanceOf(NullPointerException.class);
  }
}
