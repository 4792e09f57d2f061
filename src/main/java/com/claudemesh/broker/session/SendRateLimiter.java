package com.claudemesh.broker.session;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Per-member token bucket for sends (SEND_RATE_LIMIT_PER_MIN refill, SEND_RATE_LIMIT_BURST capacity),
 * shared by all of a member's sessions on this broker.
 */
@Component
class SendRateLimiter {

    private final Clock clock;
    private final SessionSettings settings;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    SendRateLimiter(Clock clock, SessionSettings settings) {
        this.clock = clock;
        this.settings = settings;
    }

    boolean tryAcquire(String memberId) {
        return buckets.computeIfAbsent(memberId, id -> new Bucket(settings.sendBurst(), clock.millis()))
                .take(clock.millis(), settings.sendBurst(), settings.sendRatePerMinute());
    }

    /** Forgets every bucket (tests change the limits between cases). */
    void reset() {
        buckets.clear();
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        // No I/O inside, so a monitor cannot pin a carrier thread for long.
        synchronized boolean take(long now, int capacity, int perMinute) {
            if (now > refilledAt) {
                tokens = Math.min(capacity, tokens + (now - refilledAt) * perMinute / 60_000.0);
                refilledAt = now;
            }
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
