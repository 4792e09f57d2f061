package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.ratelimit.TokenBucket;
import com.claudemesh.broker.ratelimit.TokenBuckets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * What a client may take of the broker before its sessions cost anything (docs/RELIABILITY.md):
 * sockets in all ({@code MAX_SOCKETS}), sockets per client address that have not said hello yet
 * ({@code MAX_PENDING_SOCKETS_PER_IP}), hellos per client address and minute ({@code
 * HELLO_RATE_LIMIT_PER_IP_PER_MIN}); and each socket's bucket for its frames ({@code
 * MAX_FRAMES_PER_SECOND}, holding two seconds' worth). Rates use the broker's one token-bucket
 * mechanism ({@link TokenBuckets}); every refusal counts {@code
 * broker_connections_rejected_total{reason}}. The counts are this process's: behind a load
 * balancer each broker process applies them on its own.
 */
@Component
class ConnectionLimits {

    private static final int MAX_ADDRESSES = 100_000;

    /** A socket's places: one among all sockets, one among its address's pending sockets until hello. */
    final class Ticket {
        private final String clientIp;
        private final AtomicBoolean pending = new AtomicBoolean(true);
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Ticket(String clientIp) {
            this.clientIp = clientIp;
        }

        /** The socket passed hello: it no longer counts as pending. */
        void authenticated() {
            if (pending.compareAndSet(true, false)) {
                releasePending(clientIp);
            }
        }

        /** The socket is gone. */
        void release() {
            authenticated();
            if (held.compareAndSet(true, false)) {
                sockets.decrementAndGet();
            }
        }
    }

    private final SessionSettings settings;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final AtomicInteger sockets = new AtomicInteger();
    private final Map<String, Integer> pendingByAddress = new ConcurrentHashMap<>();
    private final TokenBuckets hellos;

    ConnectionLimits(SessionSettings settings, BrokerMetrics metrics, Clock clock) {
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.hellos = new TokenBuckets(
                clock, MAX_ADDRESSES, settings.helloRatePerIpPerMinute(), settings.helloRatePerIpPerMinute());
    }

    /** A ticket for a new socket from {@code clientIp}, or null when it must be refused (counted). */
    Ticket admit(String clientIp) {
        if (sockets.incrementAndGet() > settings.maxSockets()) {
            sockets.decrementAndGet();
            metrics.connectionRejected("max_sockets");
            return null;
        }
        boolean[] full = {false};
        pendingByAddress.compute(clientIp, (ip, count) -> {
            int current = count == null ? 0 : count;
            if (current >= settings.maxPendingSocketsPerIp()) {
                full[0] = true;
                return count;
            }
            return current + 1;
        });
        if (full[0]) {
            sockets.decrementAndGet();
            metrics.connectionRejected("pending_per_ip");
            return null;
        }
        return new Ticket(clientIp);
    }

    /** Takes a hello from {@code clientIp} off its bucket; false (counted) when it has none left. */
    boolean helloAllowed(String clientIp) {
        if (hellos.tryAcquire(clientIp)) {
            return true;
        }
        metrics.connectionRejected("hello_rate");
        return false;
    }

    /** The frame bucket of one socket. */
    TokenBucket frames() {
        return new TokenBucket(clock, 2.0 * settings.maxFramesPerSecond(), settings.maxFramesPerSecond());
    }

    int maxFramesPerSecond() {
        return settings.maxFramesPerSecond();
    }

    private void releasePending(String clientIp) {
        pendingByAddress.computeIfPresent(clientIp, (ip, count) -> count <= 1 ? null : count - 1);
    }
}
