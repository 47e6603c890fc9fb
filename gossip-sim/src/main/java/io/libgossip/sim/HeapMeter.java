package io.libgossip.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The JVM's live heap: the heap in use right after full collections. With the launcher's parallel
 * collector (and G1) an explicit collection is a full one, unless {@code -XX:+DisableExplicitGC} is
 * set, in which case the figure includes garbage.
 */
final class HeapMeter {
  private HeapMeter() {}

  /** Bytes of heap in use after two full collections. */
  static long liveBytes() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    memory.gc(); // the first may leave what finalization or reference clearing freed
    return memory.getHeapMemoryUsage().getUsed();
  }
}
