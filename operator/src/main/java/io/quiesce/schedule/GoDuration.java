package io.quiesce.schedule;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the Go durations the API uses ({@code 168h}, {@code 1h30m}, {@code 1.5h}); no days unit. */
final class GoDuration {
    private static final Pattern WHOLE = Pattern.compile("([0-9]{1,6}(?:[.][0-9]+)?(?:ns|us|ms|s|m|h))+");
    private static final Pattern PART = Pattern.compile("([0-9]{1,6}(?:[.][0-9]+)?)(ns|us|ms|s|m|h)");
    private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);
    private static final int MAX_LENGTH = 32;

    private GoDuration() {
    }

    /** @throws IllegalArgumentException when {@code text} is not a Go duration */
    static Duration parse(String text) {
        if (text == null || text.length() > MAX_LENGTH || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\" (write e.g. 168h or 1h30m)");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS.get(m.group(2)))));
        }
        return Duration.ofNanos(nanos.longValueExact());
    }
}
