package io.libgossip.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Reads a Linux process's memory and CPU time from {@code /proc}: resident set size ({@code
 * VmRSS}), proportional set size ({@code Pss} of {@code smaps_rollup}: shared pages, such as a
 * class-data-sharing archive mapped by several JVMs, divided among the processes that map them) and
 * user + system CPU time, also per thread.
 */
final class ProcessProbe {
  /** Clock ticks per second of {@code /proc/PID/stat} times ({@code getconf CLK_TCK}). */
  static final long CLOCK_TICKS = clockTicks();

  private static final Pattern SPACES = Pattern.compile(" +");

  private ProcessProbe() {}

  /** {@code VmRSS} of {@code pid} in KiB, or -1 if it cannot be read (the process is gone). */
  static long rssKb(long pid) {
    return field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
  }

  /** {@code Pss} of {@code pid} in KiB ({@code smaps_rollup}), or -1 if it cannot be read. */
  static long pssKb(long pid) {
    return field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
  }

  /** User + system CPU time of {@code pid} (all its threads) in milliseconds, or -1. */
  static long cpuMs(long pid) {
    return statCpuMs(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /**
   * CPU time in milliseconds per thread name, digits replaced by {@code #} so that threads of one
   * pool add up ({@code gossip-io-1-2} and {@code gossip-io-1-1} are {@code gossip-io-#-#}).
   */
  static Map<String, Long> cpuMsByThread(long pid) {
    Map<String, Long> byName = new TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    List<Path> list = new ArrayList<>();
    try (var s = Files.list(tasks)) {
      s.forEach(list::add);
    } catch (IOException e) {
      return byName;
    }
    for (Path t : list) {
      String name;
      try {
        name = Files.readString(t.resolve("comm"), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        continue; // the thread ended
      }
      long ms = statCpuMs(t.resolve("stat"));
      if (ms >= 0) {
        byName.merge(name.replaceAll("[0-9]+", "#"), ms, Long::sum);
      }
    }
    return byName;
  }

  private static long statCpuMs(Path stat) {
    String s;
    try {
      s = Files.readString(stat, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return -1;
    }
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    String[] f = SPACES.split(s.substring(s.lastIndexOf(')') + 2).trim(), -1);
    // Fields 14 (utime) and 15 (stime) of proc(5) are 12 and 13 after the name.
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return ticks * 1000 / CLOCK_TICKS;
  }

  private static long field(Path file, String name) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        if (line.startsWith(name)) {
          return Long.parseLong(SPACES.split(line.substring(name.length()).trim(), -1)[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | RuntimeException e) {
      // fall through to Linux's usual value
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
