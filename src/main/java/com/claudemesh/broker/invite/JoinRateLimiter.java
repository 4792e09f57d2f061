package com.claudemesh.broker.invite;

import com.claudemesh.broker.config.BrokerProperties;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * A token bucket per client IP for {@code POST /join}: capacity and refill of {@code
 * JOIN_RATE_LIMIT_PER_IP_PER_MIN} per minute, so a burst up to the limit passes and a steady
 * guesser is held to the limit. Full buckets are dropped when the map grows, which bounds memory
 * under a spray of source addresses.
 */
@Component
class JoinRateLimiter {

    private static final int PRUNE_ABOVE = 10_000;
    private static final double NANOS_PER_MINUTE = 60e9;

    private final double capacity;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    JoinRateLimiter(BrokerProperties properties, Clock clock) {
        this.capacity = properties.joinRateLimitPerIpPerMin();
        this.clock = clock;
    }

    private static final class Bucket {
        double tokens;
        long refilledAtNanos;

        Bucket(double tokens, long refilledAtNanos) {
            this.tokens = tokens;
            this.refilledAtNanos = refilledAtNanos;
        }
    }

    boolean tryAcquire(String clientIp) {
        long now = nowNanos();
        if (buckets.size() > PRUNE_ABOVE) {
            buckets.values().removeIf(bucket -> refilled(bucket, now) >= capacity);
        }
        Bucket bucket = buckets.computeIfAbsent(clientIp, ip -> new Bucket(capacity, now));
        synchronized (bucket) {
            bucket.tokens = refilled(bucket, now);
            bucket.refilledAtNanos = now;
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }

    /** Forgets every bucket; tests share one client address and start each case from full buckets. */
    void reset() {
        buckets.clear();
    }

    private double refilled(Bucket bucket, long now) {
        long elapsed = Math.max(0, now - bucket.refilledAtNanos);
        return Math.min(capacity, bucket.tokens + elapsed * capacity / NANOS_PER_MINUTE);
    }

    private long nowNanos() {
        var instant = clock.instant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
