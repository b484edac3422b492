package io.quiesce.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Turns a log event into the text written for it, ending with a newline. */
interface LogFormatter {
    /** RFC 3339, UTC, always with milliseconds (log collectors sort lines by it). */
    DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** A stack trace longer than this is cut: a runaway recursion must not write megabytes per event. */
    int MAX_STACK_CHARS = 32 * 1024;

    String format(LogEvent event);

    /** The exception's full trace (causes and suppressed included), cut at {@link #MAX_STACK_CHARS}. */
    static String stackTrace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        String trace = out.toString().stripTrailing();
        return trace.length() <= MAX_STACK_CHARS ? trace
                : trace.substring(0, MAX_STACK_CHARS) + "\n\t... (cut at " + MAX_STACK_CHARS + " characters)";
    }
}
