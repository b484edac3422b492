package io.quiesce.testkit.guest;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against a real guest running the real {@code qemu-guest-agent}: inject {@link
 * GuestVm} into a constructor, a lifecycle method or a test method. One guest serves the whole test
 * JVM; see {@link RealGuestExtension} for how it is started, checked and stopped.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("real-guest")
@ExtendWith(RealGuestExtension.class)
public @interface RealGuest {}
