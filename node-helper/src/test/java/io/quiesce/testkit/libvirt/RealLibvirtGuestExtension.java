package io.quiesce.testkit.libvirt;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Backs {@link RealLibvirtGuest}. Starts ONE daemon and guest per test JVM, lazily on the first
 * class that needs them, kept in the root extension store, which stops them when the run ends, also
 * after failures (a JVM shutdown hook and the script's TTL reaper are the fallbacks). After each
 * test class it checks that the class left the guest thawed, and thaws it and fails the class if
 * not.
 *
 * <p>When the harness cannot start, tests fail with the reason under {@code CI=true} and are
 * skipped elsewhere, with the reason as the assumption message and on stderr: never passed.
 */
public final class RealLibvirtGuestExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {

  /**
   * Property (or env QUIESCE_GUEST_BOOT_TIMEOUT_S) bounding the whole start, image build included.
   */
  static final String START_TIMEOUT_PROPERTY = "quiesce.guest.bootTimeoutSeconds";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RealLibvirtGuestExtension.class);
  private static final Duration THAW_CHECK_TIMEOUT = Duration.ofSeconds(30);

  @Override
  public void beforeAll(ExtensionContext context) {
    Start start = start(context);
    if (start.guest == null) {
      if (isCi()) {
        throw new IllegalStateException(start.reason());
      }
      System.err.println(
          "[RealLibvirtGuest] SKIPPING the tests of "
              + context.getDisplayName()
              + ": "
              + start.reason());
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
    Start start = context.getRoot().getStore(NAMESPACE).get(Start.class, Start.class);
    if (start == null || start.guest == null) {
      return;
    }
    boolean wasFrozen = start.guest.ensureThawed(THAW_CHECK_TIMEOUT);
    start.guest.clearKnobs();
    if (wasFrozen) {
      throw new AssertionError(
          context.getDisplayName()
              + " left the libvirt guest FROZEN; the extension thawed it. Tests must thaw what they freeze.");
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LibvirtGuest.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return guest(context);
  }

  private static LibvirtGuest guest(ExtensionContext context) {
    Start start = start(context);
    if (start.guest != null) {
      return start.guest;
    }
    if (isCi()) {
      throw new IllegalStateException(start.reason());
    }
    Assumptions.abort(start.reason());
    throw new AssertionError("unreachable");
  }

  private static Start start(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(Start.class, k -> Start.attempt(), Start.class);
  }

  private static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  private static Duration startTimeout() {
    String s =
        System.getProperty(
            START_TIMEOUT_PROPERTY,
            System.getenv().getOrDefault("QUIESCE_GUEST_BOOT_TIMEOUT_S", "900"));
    return Duration.ofSeconds(Long.parseLong(s.trim()));
  }

  /**
   * The outcome of the one start attempt per JVM; the root store closes it at the end of the run.
   */
  private static final class Start implements AutoCloseable {
    private final LibvirtGuest guest;
    private final String failure;

    private Start(LibvirtGuest guest, String failure) {
      this.guest = guest;
      this.failure = failure;
    }

    String reason() {
      return "real libvirt daemon + guest (hack/libvirt-vm.sh) could not start: " + failure;
    }

    static Start attempt() {
      try {
        LibvirtGuest guest = LibvirtGuest.start(startTimeout());
        System.err.println(
            "[RealLibvirtGuest] daemon up in "
                + guest.daemonStart().toMillis()
                + " ms, agent ready "
                + guest.bootTime().toMillis()
                + " ms after create; daemon socket "
                + guest.daemonSocket());
        return new Start(guest, null);
      } catch (RuntimeException e) {
        return new Start(null, e.getMessage());
      }
    }

    @Override
    public void close() {
      if (guest != null) {
        guest.close();
      }
    }
  }
}
