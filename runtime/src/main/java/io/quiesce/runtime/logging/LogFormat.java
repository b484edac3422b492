package io.quiesce.runtime.logging;

import java.util.Locale;

/**
 * How each log event is written: a line for people, or one JSON object per line for log collectors.
 */
public enum LogFormat {
  TEXT,
  JSON;

  static LogFormat parse(String name) {
    for (LogFormat format : values()) {
      if (format.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
        return format;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not one of text, json");
  }
}
