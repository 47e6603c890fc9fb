package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FuzzSeedsTest {

  @Test
  void committedJazzerInputsAreWhatTheGeneratorWrites() throws IOException {
    if (Boolean.getBoolean("fuzz.writeSeeds")) {
      FuzzSeeds.write(Path.of("src/test/resources")); // surefire runs in the module's directory
    }
    for (Map.Entry<String, byte[]> e : FuzzSeeds.jazzerInputs().entrySet()) {
      try (InputStream in = getClass().getResourceAsStream("/" + e.getKey())) {
        if (Boolean.getBoolean("fuzz.writeSeeds")) {
          continue; // written to the sources; target/test-classes holds the old ones until rebuilt
        }
        assertThat(in).as(e.getKey()).isNotNull();
        assertThat(in.readAllBytes()).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }
}
