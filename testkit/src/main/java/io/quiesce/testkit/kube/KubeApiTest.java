package io.quiesce.testkit.kube;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the test class a fresh in-JVM Kubernetes API server ({@link KubeApiServer}) and resolves
 * parameters of type {@link io.fabric8.kubernetes.client.KubernetesClient} and {@link
 * KubeApiServer} in constructors, lifecycle methods and test methods. One server per test class,
 * shared by its tests (use {@link KubeApiServer#createNamespace} to keep tests apart).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(KubeApiExtension.class)
public @interface KubeApiTest {}
