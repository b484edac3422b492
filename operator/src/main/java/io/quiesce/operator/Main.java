package io.quiesce.operator;

import io.quiesce.schedule.SchedulePreviewCommand;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** Entry point of the operator jar. */
public final class Main {
    private static final String USAGE = """
            usage: java -jar operator.jar schedule preview '<cron>' [--time-zone ZONE] [--count N] [--from ISO-8601]""";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        if (args.size() >= 2 && args.get(0).equals("schedule") && args.get(1).equals("preview")) {
            return new SchedulePreviewCommand(System.out, System.err).run(args.subList(2, args.size()), Instant.now());
        }
        System.err.println(USAGE);
        return 2;
    }
}
