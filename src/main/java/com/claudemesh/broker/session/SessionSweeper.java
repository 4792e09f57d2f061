package com.claudemesh.broker.session;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Drives the timers of PROTOCOL A.1/A.3 from the injected clock once a second; each connection
 * decides what is due ({@link SessionTimers}) and acts on it itself.
 */
@Component
class SessionSweeper {

    private static final Logger log = LoggerFactory.getLogger(SessionSweeper.class);

    private final SessionRegistry registry;
    private final Clock clock;

    SessionSweeper(SessionRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = 1, timeUnit = TimeUnit.SECONDS)
    void sweep() {
        Instant now = clock.instant();
        for (Connection connection : registry.sockets()) {
            try {
                connection.checkTimers(now);
            } catch (RuntimeException e) {
                // One broken connection must not stop the timers of all the others.
                log.warn("Session timer check failed: {}", e.getClass().getSimpleName());
            }
        }
    }
}
