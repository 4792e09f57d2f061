package com.claudemesh.broker.session;

import java.time.Duration;
import java.time.Instant;

/**
 * The timers of one connection (PROTOCOL A.1/A.3) as a rule without clock or socket: given what the
 * connection is and when it was last heard and pinged, what is due now. In this order: no hello
 * within {@link SessionSettings#HELLO_TIMEOUT} → {@code hello_timeout}; pushes unconfirmed past the
 * slow-consumer limit → {@code slow_consumer} (A.6); silent for {@link
 * SessionSettings#SILENCE_TIMEOUT} → {@code idle_timeout}; else a keepalive ping every {@link
 * SessionSettings#PING_INTERVAL}. Only a socket awaiting its hello or open has timers.
 */
final class SessionTimers {

    enum Due {
        NOTHING,
        HELLO_TIMEOUT,
        SLOW_CONSUMER,
        IDLE_TIMEOUT,
        PING
    }

    private final Instant connectedAt;
    private final Duration slowConsumerTimeout;
    private volatile Instant lastHeard;
    private volatile Instant lastPing;

    SessionTimers(Instant connectedAt, Duration slowConsumerTimeout) {
        this.connectedAt = connectedAt;
        this.slowConsumerTimeout = slowConsumerTimeout;
        this.lastHeard = connectedAt;
        this.lastPing = connectedAt;
    }

    /** A frame or a pong arrived. */
    void heard(Instant at) {
        lastHeard = at;
    }

    /**
     * What is due at {@code now}; {@code unconfirmedFor} is how long the oldest ping covering pushes
     * has gone unanswered. A due ping counts as sent at {@code now}.
     */
    Due due(Phase.State state, Instant now, Duration unconfirmedFor) {
        return switch (state) {
            case AWAITING_HELLO ->
                reached(connectedAt, SessionSettings.HELLO_TIMEOUT, now) ? Due.HELLO_TIMEOUT : Due.NOTHING;
            case OPEN -> {
                if (unconfirmedFor.compareTo(slowConsumerTimeout) >= 0) {
                    yield Due.SLOW_CONSUMER;
                } else if (reached(lastHeard, SessionSettings.SILENCE_TIMEOUT, now)) {
                    yield Due.IDLE_TIMEOUT;
                } else if (reached(lastPing, SessionSettings.PING_INTERVAL, now)) {
                    lastPing = now;
                    yield Due.PING;
                }
                yield Due.NOTHING;
            }
            // The hello is being stored, or the socket is on its way out.
            case OPENING, CLOSING, CLOSED -> Due.NOTHING;
        };
    }

    private static boolean reached(Instant since, Duration limit, Instant now) {
        return !now.isBefore(since.plus(limit));
    }
}
