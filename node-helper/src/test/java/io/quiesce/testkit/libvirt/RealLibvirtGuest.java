package io.quiesce.testkit.libvirt;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against a real libvirt daemon managing the test guest with the real {@code
 * qemu-guest-agent}: inject {@link LibvirtGuest} into a constructor, a lifecycle method or a test
 * method. One daemon and guest serve the whole test JVM; see {@link RealLibvirtGuestExtension}.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("real-libvirt")
@ExtendWith(RealLibvirtGuestExtension.class)
public @interface RealLibvirtGuest {}
