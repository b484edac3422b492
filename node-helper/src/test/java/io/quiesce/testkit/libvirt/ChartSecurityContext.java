package io.quiesce.testkit.libvirt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The node helper chart's container security context, emulated on this machine with {@code setpriv}
 * for a process started by a root test: uid 0 kept, the capability sets cut to what the container
 * runtime leaves (bounding, inheritable and ambient; a root process then keeps only the bounding
 * set across exec), and {@code no_new_privs} for {@code allowPrivilegeEscalation: false}.
 */
public enum ChartSecurityContext {
  /** The chart's context before issue 12: {@code capabilities.drop: [ALL]}, nothing added. */
  ALL_DROPPED("0000000000000000", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all"),
  /** The default since: {@code capabilities.drop: [ALL]}, {@code add: [DAC_OVERRIDE]}. */
  DAC_OVERRIDE_ONLY(
      "0000000000000002",
      "--inh-caps=-all,+dac_override",
      "--ambient-caps=-all",
      "--bounding-set=-all,+dac_override");

  private final String effectiveCaps;
  private final List<String> setpriv;

  ChartSecurityContext(String effectiveCaps, String... capabilityFlags) {
    this.effectiveCaps = effectiveCaps;
    List<String> command = new ArrayList<>(List.of("setpriv"));
    command.addAll(List.of(capabilityFlags));
    command.add("--no-new-privs");
    this.setpriv = List.copyOf(command);
  }

  /** {@code CapEff} of a process in this context, as {@code /proc/<pid>/status} shows it. */
  public String effectiveCaps() {
    return effectiveCaps;
  }

  /** {@code command} run in this context. */
  public List<String> wrap(List<String> command) {
    List<String> wrapped = new ArrayList<>(setpriv);
    wrapped.addAll(command);
    return wrapped;
  }

  /** {@code java -cp <this JVM's class path> <jvmArgs> <main> <args>}, run in this context. */
  public List<String> java(List<String> jvmArgs, String mainClass, List<String> args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path")));
    command.addAll(jvmArgs);
    command.add(mainClass);
    command.addAll(args);
    return wrap(command);
  }
}
