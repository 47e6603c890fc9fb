package io.libgossip.serf;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Runs the application's callbacks one at a time, in submission order, on a given executor, never
 * on the caller's thread of the moment unless the executor is direct. Bounded: droppable tasks
 * beyond {@code capacity} waiting are refused (the caller counts them); tasks that must run (query
 * results, bounded elsewhere) are always queued.
 */
final class SerfDispatcher {
  private final Executor executor;
  private final int capacity;
  private final Consumer<RuntimeException> onFailure;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean running;

  SerfDispatcher(Executor executor, int capacity, Consumer<RuntimeException> onFailure) {
    this.executor = executor;
    this.capacity = capacity;
    this.onFailure = onFailure;
  }

  /**
   * Queues a task.
   *
   * @param droppable whether the task may be refused when the queue is full
   * @return false when refused (queue full, or the executor refused to run the queue)
   */
  boolean submit(Runnable task, boolean droppable) {
    synchronized (this) {
      if (droppable && queue.size() >= capacity) {
        return false;
      }
      queue.add(task);
      if (running) {
        return true;
      }
      running = true;
    }
    try {
      executor.execute(this::drain);
      return true;
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        running = false;
        queue.clear();
      }
      return false;
    }
  }

  private void drain() {
    while (true) {
      Runnable task;
      synchronized (this) {
        task = queue.poll();
        if (task == null) {
          running = false;
          return;
        }
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        onFailure.accept(e);
      }
    }
  }
}
