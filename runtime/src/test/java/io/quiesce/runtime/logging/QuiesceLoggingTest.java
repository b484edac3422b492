package io.quiesce.runtime.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * logback as SLF4J finds it, configured by {@link QuiesceLogging}: levels, MDC, reconfiguration,
 * what third-party loggers get.
 */
class QuiesceLoggingTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void slf4jUsesLogbackConfiguredFromTheEnvironment() {
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(LoggerContext.class);
    assertThat(LoggerFactory.getLogger("io.javaoperatorsdk.operator.Operator"))
        .isInstanceOf(ch.qos.logback.classic.Logger.class);
    // the build sets QUIESCE_LOG_LEVEL=warn for tests (pom.xml): EnvironmentConfigurator read it
    assertThat(QuiesceLogging.settings()).isNotNull();
    assertThat(QuiesceLogging.settings().level())
        .isEqualTo(Level.toLevel(System.getenv().getOrDefault("QUIESCE_LOG_LEVEL", "info")));
  }

  @Test
  void levelsFilterPerLoggerAndExistingLoggersFollowANewConfiguration() {
    Logger fabric8 = LoggerFactory.getLogger("io.fabric8.kubernetes.client.Config");
    Logger ours = LoggerFactory.getLogger("io.quiesce.Something");
    try (CapturedLogs logs =
        CapturedLogs.start(
            new LogSettings(LogFormat.TEXT, Level.DEBUG, Map.of("io.fabric8", Level.WARN)))) {
      fabric8.info("hidden");
      fabric8.warn("shown {}", 1);
      ours.debug("debug {} {}", "a", "b");
      ours.trace("hidden too");

      assertThat(logs.lines()).hasSize(2);
      assertThat(logs.lines().get(0))
          .contains("WARN  [", "io.fabric8.kubernetes.client.Config - shown 1");
      assertThat(logs.lines().get(1)).contains("DEBUG [", "io.quiesce.Something - debug a b");
      assertThat(ours.isDebugEnabled()).isTrue();
      assertThat(fabric8.isInfoEnabled()).isFalse();
    }
    try (CapturedLogs logs = CapturedLogs.start(LogSettings.of(LogFormat.TEXT, Level.OFF))) {
      ours.error("nothing at off");
      assertThat(logs.text()).isEmpty();
    }
  }

  @Test
  void mdcAndTheLastArgumentThrowableReachTheJsonLine() throws Exception {
    Logger logger = LoggerFactory.getLogger(QuiesceLoggingTest.class);
    try (CapturedLogs logs = CapturedLogs.start(LogSettings.of(LogFormat.JSON, Level.INFO));
        ResourceLogContext context = ResourceLogContext.of("QuiescedSnapshot", "prod", "s1")) {
      logger.warn("thaw attempt {} failed", 2, new IllegalStateException("agent gone"));

      JsonNode json = MAPPER.readTree(logs.lines().get(0));
      assertThat(json.path("msg").asText()).isEqualTo("thaw attempt 2 failed");
      assertThat(json.path("resource.namespace").asText()).isEqualTo("prod");
      assertThat(json.path("resource.name").asText()).isEqualTo("s1");
      assertThat(json.path("resource.kind").asText()).isEqualTo("QuiescedSnapshot");
      assertThat(json.path("exception").path("message").asText()).isEqualTo("agent gone");
      assertThat(json.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
    }
  }

  @Test
  void resourceContextRestoresWhatWasThereAndThreadsDoNotInherit() throws Exception {
    MDC.put(ResourceLogContext.NAME, "outer");
    try {
      try (ResourceLogContext context = ResourceLogContext.of("QuiescedSnapshot", "ns", "inner")) {
        assertThat(MDC.get(ResourceLogContext.NAME)).isEqualTo("inner");
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        Thread child = new Thread(() -> seen.set(MDC.getCopyOfContextMap()));
        child.start();
        child.join(10_000);
        assertThat(seen.get()).as("a new thread starts with no MDC").isNullOrEmpty();
      }
      assertThat(MDC.get(ResourceLogContext.NAME)).isEqualTo("outer");
      assertThat(MDC.get(ResourceLogContext.NAMESPACE)).isNull();
    } finally {
      MDC.clear();
    }
  }

  @Test
  void carriedContextRunsWithTheCallersMdcAndRestoresTheRunnersOwn() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    Runnable task;
    try (ResourceLogContext context = ResourceLogContext.of("QuiescedSnapshot", "ns", "s1")) {
      task = CarriedLogContext.wrap(() -> seen.set(MDC.get(ResourceLogContext.NAME)));
    }
    MDC.put("runner", "own");
    try {
      task.run();
      assertThat(seen.get()).isEqualTo("s1");
      assertThat(MDC.getCopyOfContextMap()).containsExactly(Map.entry("runner", "own"));
    } finally {
      MDC.clear();
    }
    Runnable plain = () -> {};
    assertThat(CarriedLogContext.wrap(plain)).as("nothing to carry").isSameAs(plain);
  }
}
