package com.claudemesh.broker.ratelimit;

import java.time.Clock;
import java.time.Instant;

/**
 * One token bucket: holds at most {@code capacity} tokens and refills {@code perSecond} tokens per
 * second of the injected clock. The broker's one rate-limit algorithm: {@link TokenBuckets} keeps
 * one per key (member, client address, hook caller), a socket keeps one for its frames. Not
 * thread-safe: its owner locks, or only one thread uses it (a socket's reader).
 */
public final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1e9;

    private final Clock clock;
    private final double capacity;
    private final double perSecond;
    private double tokens;
    private long refilledAt;

    public TokenBucket(Clock clock, double capacity, double perSecond) {
        this.clock = clock;
        this.capacity = capacity;
        this.perSecond = perSecond;
        this.tokens = capacity;
        this.refilledAt = nanos(clock.instant());
    }

    /** Takes one token; false when the bucket is empty. */
    public boolean tryTake() {
        refill();
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** Whether the bucket has refilled completely: it is then indistinguishable from a new one. */
    boolean full() {
        refill();
        return tokens >= capacity;
    }

    private void refill() {
        long now = nanos(clock.instant());
        if (now > refilledAt) {
            tokens = Math.min(capacity, tokens + (now - refilledAt) * perSecond / NANOS_PER_SECOND);
            refilledAt = now;
        }
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
