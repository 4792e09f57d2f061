package com.claudemesh.broker.session;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * The timers of PROTOCOL A.1/A.3, read from the injected clock once a second: no hello within 10 s
 * → 1008 {@code hello_timeout}; a keepalive ping every 30 s; a session silent for 75 s is closed.
 */
@Component
class SessionSweeper {

    private static final Logger log = LoggerFactory.getLogger(SessionSweeper.class);

    private final SessionRegistry registry;
    private final SessionSettings settings;
    private final Clock clock;

    SessionSweeper(SessionRegistry registry, SessionSettings settings, Clock clock) {
        this.registry = registry;
        this.settings = settings;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = 1, timeUnit = TimeUnit.SECONDS)
    void sweep() {
        Instant now = clock.instant();
        for (Connection connection : registry.sockets()) {
            try {
                check(connection, now);
            } catch (RuntimeException e) {
                // One broken connection must not stop the timers of all the others.
                log.warn("Session timer check failed: {}", e.getClass().getSimpleName());
            }
        }
    }

    private void check(Connection connection, Instant now) {
        switch (connection.state()) {
            case AWAITING_HELLO -> {
                if (!now.isBefore(connection.connectedAt().plus(SessionSettings.HELLO_TIMEOUT))) {
                    connection.helloTimedOut();
                }
            }
            case OPEN -> {
                if (connection.stalled(settings.slowConsumerTimeout())) {
                    connection.slowConsumer();
                } else if (!now.isBefore(connection.lastHeard().plus(SessionSettings.SILENCE_TIMEOUT))) {
                    connection.closeByBroker(new CloseStatus(1008, "idle_timeout"), "idle_timeout");
                } else if (!now.isBefore(connection.lastPingRequested().plus(SessionSettings.PING_INTERVAL))) {
                    connection.requestKeepalivePing(now);
                }
            }
            case OPENING, CLOSING, CLOSED -> {
                // the hello is being stored, or the socket is on its way out
            }
        }
    }
}
