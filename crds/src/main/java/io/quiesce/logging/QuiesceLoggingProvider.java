package io.quiesce.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J 2 provider of both components (registered in {@code META-INF/services}), so that our
 * code, fabric8, the operator SDK and Quartz all log through {@link QuiesceLogging}'s settings.
 */
public final class QuiesceLoggingProvider implements SLF4JServiceProvider {
    private final IMarkerFactory markers = new BasicMarkerFactory();

    /** Called by SLF4J's service loader. */
    public QuiesceLoggingProvider() {
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return QuiesceLogging.factory();
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return QuiesceLogging.mdc();
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // everything is ready from class initialisation on
    }
}
