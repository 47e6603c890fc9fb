package io.libgossip.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Where the repository's launcher is, for benchmarks that start {@code ./gossip} processes. */
final class BenchPaths {
  private BenchPaths() {}

  /**
   * The {@code gossip} launcher of the repository this class was loaded from ({@code
   * ROOT/gossip-bench/target/*.jar} or {@code ROOT/gossip-bench/target/classes}), else {@code
   * ./gossip} in the working directory.
   */
  static Path launcher() {
    try {
      var source = BenchPaths.class.getProtectionDomain().getCodeSource();
      if (source != null) {
        @Nullable Path p = Path.of(source.getLocation().toURI()).toAbsolutePath();
        // .../ROOT/gossip-bench/target/(gossip-bench-V.jar | classes)
        for (int up = 0; up < 4 && p != null; up++) {
          Path candidate = p.resolve("gossip");
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return candidate;
          }
          p = p.getParent();
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall back to the working directory
    }
    return Path.of("gossip").toAbsolutePath();
  }
}
