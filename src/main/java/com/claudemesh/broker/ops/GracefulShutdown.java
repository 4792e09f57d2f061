package com.claudemesh.broker.ops;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.stereotype.Component;

/**
 * Runs the {@link ShutdownStep}s first when the application stops: this lifecycle has the highest
 * phase, so it stops before the web server's graceful shutdown, before the schedulers and long
 * before the datasource is closed (beans are destroyed only after every lifecycle has stopped).
 */
@Component
class GracefulShutdown implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final ObjectProvider<ShutdownStep> steps;
    private volatile boolean running;

    GracefulShutdown(ObjectProvider<ShutdownStep> steps) {
        this.steps = steps;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        List<ShutdownStep> ordered = steps.orderedStream()
                .sorted(AnnotationAwareOrderComparator.INSTANCE)
                .toList();
        log.info("Shutting down: {} step(s)", ordered.size());
        for (ShutdownStep step : ordered) {
            try {
                step.shutDown();
            } catch (RuntimeException e) {
                log.error("Shutdown step {} failed: {}", step.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
