package io.libgossip.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.DecodeException;
import io.libgossip.testkit.ByteMutator;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of {@link JsonSerializer#decode}, without Jazzer: the saved inputs of
 * {@link JsonFuzzTest} mutated by a {@link ByteMutator} with a fixed seed, checked as that test
 * checks them, plus a bound on the heap each decode allocates.
 *
 * <p>A normal run does 5,000 cases (JSON decoding is the slowest path). The long mode, by hand:
 *
 * <pre>
 * ./mvnw -B -ntp -o test -pl gossip-json -am -Dtest=JsonSeededMutationTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.cases=2000000 [-Dfuzz.seed=38]
 * </pre>
 */
class JsonSeededMutationTest {
  private static final int CASES = Integer.getInteger("fuzz.cases", 5_000);
  private static final long SEED = Long.getLong("fuzz.seed", 38);

  /** Heap a decode may allocate: a fixed allowance plus this many bytes per input byte. */
  static final long ALLOCATION_BASE = 64 * 1024;

  static final long ALLOCATION_PER_BYTE = 32;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void committedJazzerInputsAreWhatTheGeneratorWrites() throws IOException {
    boolean write = Boolean.getBoolean("fuzz.writeSeeds");
    for (Map.Entry<String, byte[]> e : JsonFuzzTest.seeds().entrySet()) {
      String name = JsonFuzzTest.DIRECTORY + "/" + e.getKey();
      if (write) { // surefire runs in the module's directory
        Path p = Path.of("src/test/resources", name);
        Files.createDirectories(p.getParent());
        Files.write(p, e.getValue());
        continue;
      }
      try (InputStream in = getClass().getResourceAsStream("/" + name)) {
        assertThat(in).as(name).isNotNull();
        assertThat(in.readAllBytes()).as(name).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void mutatedDocumentsAreRejectedCleanlyOrRoundTrip() {
    List<byte[]> seeds = new ArrayList<>(JsonFuzzTest.seeds().values());
    ByteMutator mutator = new ByteMutator(seeds, SEED, 8192);
    ByteMutator warmUp = new ByteMutator(seeds, ~SEED, 8192);
    for (int i = 0; i < 2_000; i++) { // load the classes each path needs before measuring
      JsonFuzzTest.check(warmUp.next());
    }
    long start = System.nanoTime();
    int decoded = 0;
    long worst = 0;
    for (int i = 0; i < CASES; i++) {
      byte[] data = mutator.next();
      String where = "json case " + i + " of seed " + SEED;
      long bound = ALLOCATION_BASE + ALLOCATION_PER_BYTE * data.length;
      long allocated = allocatedDecoding(data);
      if (allocated > bound) {
        allocated = allocatedDecoding(data); // again, without first-time class loading
      }
      try {
        if (JsonFuzzTest.check(data)) {
          decoded++;
        }
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(where + ": " + e.getMessage(), e);
      }
      worst = Math.max(worst, allocated - ALLOCATION_PER_BYTE * data.length);
      assertThat(allocated)
          .as(where + ": heap allocated for " + data.length + " bytes")
          .isLessThanOrEqualTo(bound);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "seeded-mutation json: %d cases in %.2f s (%.0f/s), %d decoded, worst extra heap %d%n",
        CASES, secs, CASES / secs, decoded, worst);
    assertThat(decoded).as("some mutants still decode").isPositive();
  }

  /** Heap this thread allocates decoding {@code data} once. */
  private static long allocatedDecoding(byte[] data) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    try {
      JsonFuzzTest.JSON.decode(data, 0, data.length);
    } catch (DecodeException e) {
      // the checks look at it
    }
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }
}
