package io.libgossip.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads a {@link KeyringFile} at a fixed interval and applies it to a {@link Keyring} when its
 * bytes change, so that editing the file rotates the keys of a running node. A file that cannot be
 * read or parsed (mid-edit, bad permissions, a bad line) leaves the keys as they are and is logged
 * once at WARN until it changes again. Polling reads one small file per interval on one daemon
 * thread; close it to stop.
 */
public final class KeyringFileWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeyringFileWatcher.class);

  private final Path file;
  private final Keyring keyring;
  private final ScheduledExecutorService timer;
  private final Runnable onApplied;
  private byte @Nullable [] seen;

  private KeyringFileWatcher(Path file, Keyring keyring, byte[] initial, Runnable onApplied) {
    this.file = file;
    this.keyring = keyring;
    this.seen = initial;
    this.onApplied = onApplied;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keyring-file-watcher");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts watching {@code file}, whose current contents {@code keyring} is assumed to hold already
   * (it was loaded from it), every {@code interval}.
   *
   * @throws IOException when the file cannot be read now
   * @throws IllegalArgumentException when the interval is shorter than 100 ms
   */
  public static KeyringFileWatcher start(Path file, Keyring keyring, Duration interval)
      throws IOException {
    return start(file, keyring, interval, () -> {});
  }

  /**
   * As {@link #start(Path, Keyring, Duration)}, and runs {@code onApplied} on the watcher's thread
   * after each change it applies (a throw is logged and ignored).
   *
   * @throws IOException when the file cannot be read now
   * @throws IllegalArgumentException when the interval is shorter than 100 ms
   */
  public static KeyringFileWatcher start(
      Path file, Keyring keyring, Duration interval, Runnable onApplied) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(onApplied, "onApplied");
    Objects.requireNonNull(keyring, "keyring");
    if (interval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException("interval must be at least 100ms, got " + interval);
    }
    KeyringFileWatcher w =
        new KeyringFileWatcher(file, keyring, Files.readAllBytes(file), onApplied);
    long ms = interval.toMillis();
    w.timer.scheduleWithFixedDelay(w::poll, ms, ms, TimeUnit.MILLISECONDS);
    return w;
  }

  /** Checks the file once, now; returns whether it changed the keyring. Thread-safe. */
  public synchronized boolean poll() {
    byte[] now;
    try {
      now = Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      warnOnce(null, "cannot read keyring file: " + e);
      return false;
    }
    if (seen != null && Arrays.equals(seen, now)) {
      return false;
    }
    try {
      KeyringFile.checkPermissions(file);
      KeyringFile.Contents c =
          KeyringFile.parse(
              new String(now, java.nio.charset.StandardCharsets.UTF_8), file.toString());
      KeyringFile.apply(c, keyring);
    } catch (IOException | RuntimeException e) {
      warnOnce(now, e.getMessage());
      return false;
    }
    seen = now;
    log.atInfo()
        .setMessage("keyring reloaded")
        .addKeyValue("file", file)
        .addKeyValue("primary", keyring.primaryKeyId())
        .addKeyValue("keys", keyring.keyIds())
        .addKeyValue("mode", keyring.mode().spelling())
        .log();
    try {
      onApplied.run();
    } catch (RuntimeException e) {
      log.atWarn().setMessage("keyring reload callback threw").setCause(e).log();
    }
    return true;
  }

  private byte @Nullable [] failed;

  private void warnOnce(byte @Nullable [] contents, @Nullable String why) {
    if (contents != null && failed != null && Arrays.equals(failed, contents)) {
      return;
    }
    if (contents == null && failed != null && failed.length == 0) {
      return;
    }
    failed = contents != null ? contents : new byte[0];
    log.atWarn()
        .setMessage("keyring file not applied; the keys stay as they were")
        .addKeyValue("file", file)
        .addKeyValue("reason", why)
        .log();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
