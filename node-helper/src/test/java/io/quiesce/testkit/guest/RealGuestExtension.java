package io.quiesce.testkit.guest;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Backs {@link RealGuest}. Boots ONE guest per test JVM, lazily on the first class that needs it,
 * and keeps it in the root extension store, which stops it when the run ends, also after failures
 * (a JVM shutdown hook and the script's TTL reaper are the fallbacks). After each test class it
 * checks that the class left the guest thawed, and thaws it and fails the class if not.
 *
 * <p>When the guest cannot start, tests fail with the reason under {@code CI=true} and are skipped
 * elsewhere, with the reason as the assumption message and on stderr: never passed.
 */
public final class RealGuestExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RealGuestExtension.class);
  private static final Duration THAW_CHECK_TIMEOUT = Duration.ofSeconds(30);

  @Override
  public void beforeAll(ExtensionContext context) {
    Boot boot = boot(context);
    if (boot.vm == null) {
      if (isCi()) {
        throw new IllegalStateException(boot.reason());
      }
      System.err.println(
          "[RealGuest] SKIPPING the tests of " + context.getDisplayName() + ": " + boot.reason());
    }
  }

  /**
   * Skips each test rather than the class, so that reports count them as skipped with the reason.
   */
  @Override
  public void beforeEach(ExtensionContext context) {
    guest(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Boot boot = context.getRoot().getStore(NAMESPACE).get(Boot.class, Boot.class);
    if (boot == null || boot.vm == null) {
      return;
    }
    boolean wasFrozen = boot.vm.ensureThawed(THAW_CHECK_TIMEOUT);
    boot.vm.clearKnobs();
    if (wasFrozen) {
      throw new AssertionError(
          context.getDisplayName()
              + " left the shared guest FROZEN; the extension thawed it. Tests must thaw what they freeze.");
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == GuestVm.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return guest(context);
  }

  private static GuestVm guest(ExtensionContext context) {
    Boot boot = boot(context);
    if (boot.vm != null) {
      return boot.vm;
    }
    if (isCi()) {
      throw new IllegalStateException(boot.reason());
    }
    Assumptions.abort(boot.reason());
    throw new AssertionError("unreachable");
  }

  private static Boot boot(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(Boot.class, k -> Boot.attempt(), Boot.class);
  }

  private static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * The outcome of the one boot attempt per JVM; the root store closes it at the end of the run.
   */
  private static final class Boot implements AutoCloseable {
    private final GuestVm vm;
    private final String failure;

    private Boot(GuestVm vm, String failure) {
      this.vm = vm;
      this.failure = failure;
    }

    String reason() {
      return "real guest (hack/qga-vm.sh) could not start: " + failure;
    }

    static Boot attempt() {
      try {
        GuestVm vm = GuestVm.boot();
        System.err.println(
            "[RealGuest] guest booted in "
                + vm.bootTime().toMillis()
                + " ms, agent at "
                + vm.agentSocket());
        return new Boot(vm, null);
      } catch (RuntimeException e) {
        return new Boot(null, e.getMessage());
      }
    }

    @Override
    public void close() {
      if (vm != null) {
        vm.close();
      }
    }
  }
}
