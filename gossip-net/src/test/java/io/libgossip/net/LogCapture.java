package io.libgossip.net;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Captures what one logger writes (through Logback, the test binding), for assertions. */
final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level before;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String name, Level level) {
    logger = (Logger) LoggerFactory.getLogger(name);
    before = logger.getLevel();
    logger.setLevel(level);
    appender.start();
    logger.addAppender(appender);
  }

  /** Captures {@code name} at INFO and above. */
  static LogCapture of(String name) {
    return new LogCapture(name, Level.INFO);
  }

  /** Captures {@code name} at {@code level} and above. */
  static LogCapture of(String name, Level level) {
    return new LogCapture(name, level);
  }

  /** The slf4j logger being captured. */
  org.slf4j.Logger logger() {
    return logger;
  }

  /** What was logged so far. */
  List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** Lines matching {@code p}. */
  List<ILoggingEvent> matching(Predicate<ILoggingEvent> p) {
    return events().stream().filter(p).toList();
  }

  /** The value of key {@code key} in {@code e}, as text, or null. */
  static String kv(ILoggingEvent e, String key) {
    List<KeyValuePair> kvs = e.getKeyValuePairs();
    if (kvs == null) {
      return null;
    }
    for (KeyValuePair p : kvs) {
      if (p.key.equals(key)) {
        return String.valueOf(p.value);
      }
    }
    return null;
  }

  /** Whether {@code e} has {@code key} = {@code value}. */
  static boolean has(ILoggingEvent e, String key, Object value) {
    return Objects.equals(kv(e, key), String.valueOf(value));
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(before);
  }
}
