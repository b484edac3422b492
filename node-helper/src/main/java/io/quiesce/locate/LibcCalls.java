package io.quiesce.locate;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;
import jdk.incubator.foreign.SymbolLookup;

/**
 * The two C library calls {@link NoFollowOpen} needs, linked once. glibc's {@code __openat_2} is
 * called rather than the variadic {@code openat}: the same call with fixed arguments (it refuses
 * {@code O_CREAT}, which is never asked for here).
 */
final class LibcCalls {
  private static MethodHandle openat;
  private static MethodHandle close;

  private LibcCalls() {}

  /**
   * Links the calls.
   *
   * @throws IllegalCallerException when the JVM does not allow native access
   */
  static synchronized void link() {
    if (openat != null) {
      return;
    }
    CLinker linker = CLinker.getInstance();
    SymbolLookup libc = CLinker.systemLookup();
    close =
        linker.downcallHandle(
            libc.lookup("close").orElseThrow(),
            MethodType.methodType(int.class, int.class),
            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT));
    openat =
        linker.downcallHandle(
            libc.lookup("__openat_2").orElseThrow(),
            MethodType.methodType(int.class, int.class, MemoryAddress.class, int.class),
            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT));
  }

  /** {@code openat(dir, name, flags)}: the descriptor, or -1. */
  static int openat(int dir, String name, int flags) {
    try (ResourceScope scope = ResourceScope.newConfinedScope()) {
      MemorySegment path = CLinker.toCString(name, scope);
      return (int) openat.invokeExact(dir, path.address(), flags);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  static void close(int fd) {
    try {
      int ignored = (int) close.invokeExact(fd);
    } catch (Throwable e) {
      // closing an O_PATH descriptor fails only for a bad descriptor: nothing to do
    }
  }
}
