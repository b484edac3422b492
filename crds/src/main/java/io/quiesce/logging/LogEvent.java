package io.quiesce.logging;

import java.time.Instant;
import java.util.Map;

/**
 * One log event, formatted already ({@code {}} placeholders filled in).
 *
 * @param error the exception logged with the event, or null
 */
record LogEvent(Instant time, LogLevel level, String logger, String thread, String message,
                Map<String, String> mdc, Throwable error) {
}
