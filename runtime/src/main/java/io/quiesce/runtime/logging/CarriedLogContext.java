package io.quiesce.runtime.logging;

import java.util.Map;
import org.slf4j.MDC;

/**
 * Carries the caller's MDC to work that runs later on another thread (a retry, a watchdog), so its
 * lines still name the snapshot they are about. The running thread's own MDC is restored
 * afterwards.
 */
public final class CarriedLogContext {
  private CarriedLogContext() {}

  /** {@code task}, run with the MDC the calling thread has now. */
  public static Runnable wrap(Runnable task) {
    Map<String, String> captured = MDC.getCopyOfContextMap();
    if (captured == null || captured.isEmpty()) {
      return task;
    }
    return () -> {
      Map<String, String> own = MDC.getCopyOfContextMap();
      MDC.setContextMap(captured);
      try {
        task.run();
      } finally {
        if (own == null) {
          MDC.clear();
        } else {
          MDC.setContextMap(own);
        }
      }
    };
  }
}
