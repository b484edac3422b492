package io.quiesce.helper;

import io.quiesce.freeze.FreezeOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Parses the command line by hand: {@code agent <command> --socket PATH [...]} or {@code recover --socket PATH...}. */
final class CliParser {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** {@code sun_path} holds 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private final String[] args;
    private int next;

    private CliParser(String[] args) {
        this.args = args;
    }

    /**
     * @throws UsageException with a one-line reason
     */
    static CliArguments parse(String... args) {
        return new CliParser(args).parse();
    }

    private CliArguments parse() {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return CliArguments.help();
            }
        }
        if (args.length == 0) {
            throw new UsageException("no command given: use 'agent <" + AgentCommand.names() + ">' or 'recover'");
        }
        String mode = args[next++];
        return switch (mode) {
            case "agent" -> parseAgent();
            case "recover" -> parseOptions(CliArguments.Mode.RECOVER, null);
            default -> throw new UsageException("unknown command '" + mode + "': use 'agent' or 'recover'");
        };
    }

    private CliArguments parseAgent() {
        if (next >= args.length || args[next].startsWith("-")) {
            throw new UsageException("'agent' needs a command: " + AgentCommand.names());
        }
        return parseOptions(CliArguments.Mode.AGENT, AgentCommand.fromCli(args[next++]));
    }

    private CliArguments parseOptions(CliArguments.Mode mode, AgentCommand command) {
        List<Path> sockets = new ArrayList<>();
        List<String> mountpoints = new ArrayList<>();
        Duration timeout = null;
        boolean json = false;
        while (next < args.length) {
            String arg = args[next++];
            int equals = arg.indexOf('=');
            String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            String inline = arg.startsWith("--") && equals > 0 ? arg.substring(equals + 1) : null;
            switch (name) {
                case "--socket" -> sockets.add(socketPath(inline != null ? inline : value(name)));
                case "--mountpoint" -> mountpoints.add(inline != null ? inline : value(name));
                case "--timeout" -> {
                    if (timeout != null) {
                        throw new UsageException("--timeout given twice");
                    }
                    timeout = DurationArgument.parse(inline != null ? inline : value(name));
                }
                case "--json" -> {
                    if (inline != null) {
                        throw new UsageException("--json takes no value");
                    }
                    json = true;
                }
                default -> throw new UsageException(name.startsWith("-") ? "unknown option '" + name + "'"
                        : "unexpected argument '" + name + "'");
            }
        }
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        check(mode, command, sockets, mountpoints, timeout);
        return new CliArguments(mode, command, List.copyOf(sockets), timeout, json, List.copyOf(mountpoints));
    }

    private static void check(CliArguments.Mode mode, AgentCommand command, List<Path> sockets,
                              List<String> mountpoints, Duration timeout) {
        if (mode == CliArguments.Mode.AGENT && sockets.size() != 1) {
            throw new UsageException("'agent " + command.cliName() + "' needs exactly one --socket PATH");
        }
        if (mode == CliArguments.Mode.RECOVER && sockets.isEmpty()) {
            throw new UsageException("'recover' needs at least one --socket PATH");
        }
        if (!mountpoints.isEmpty() && command != AgentCommand.FREEZE) {
            throw new UsageException("--mountpoint is for 'agent freeze' only");
        }
        try {
            new FreezeOptions(mountpoints, timeout);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private String value(String option) {
        if (next >= args.length || args[next].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[next++];
    }

    private static Path socketPath(String text) {
        if (text.isBlank() || text.indexOf('\0') >= 0) {
            throw new UsageException("invalid socket path '" + text.replace('\0', '?') + "'");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw new UsageException("socket path longer than " + MAX_SOCKET_PATH_BYTES + " bytes: " + text);
        }
        try {
            return Path.of(text).normalize();
        } catch (InvalidPathException e) {
            throw new UsageException("invalid socket path '" + text + "': " + e.getReason());
        }
    }
}
