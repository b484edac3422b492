package io.quiesce.runtime.logging;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;

/**
 * An exception's trace as logback renders it (causes and suppressed included), cut to a bounded
 * length.
 */
final class StackTraces {
  /**
   * A stack trace longer than this is cut: a runaway recursion must not write megabytes per event.
   */
  static final int MAX_CHARS = 32 * 1024;

  private StackTraces() {}

  static String of(IThrowableProxy error) {
    String trace = ThrowableProxyUtil.asString(error).stripTrailing();
    return trace.length() <= MAX_CHARS
        ? trace
        : trace.substring(0, MAX_CHARS) + "\n\t... (cut at " + MAX_CHARS + " characters)";
  }
}
