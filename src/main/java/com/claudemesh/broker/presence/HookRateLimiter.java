package com.claudemesh.broker.presence;

import com.claudemesh.broker.config.BrokerProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A.9 rate limit: one token bucket per (pid, cwd), capacity and refill {@code
 * HOOK_RATE_LIMIT_PER_MIN} per minute. Memory stays bounded: keys are fixed-size digests (a cwd can
 * be as long as the body), a bucket that has refilled completely is dropped (a new one is the same),
 * and past {@link #MAX_BUCKETS} the least recently used bucket goes.
 */
@Component
class HookRateLimiter {

    static final int MAX_BUCKETS = 10_000;

    private static final Duration REFILL_PERIOD = Duration.ofMinutes(1);

    private final double capacity;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true);

    HookRateLimiter(BrokerProperties properties, Clock clock) {
        this.capacity = properties.hookRateLimitPerMin();
        this.clock = clock;
    }

    /** Takes a token for (pid, cwd); false when the bucket is empty. */
    synchronized boolean tryAcquire(Integer pid, String cwd) {
        Instant now = clock.instant();
        Bucket bucket = buckets.computeIfAbsent(key(pid, cwd), k -> new Bucket(capacity, now));
        bucket.refill(now);
        if (buckets.size() > MAX_BUCKETS) {
            Iterator<Bucket> eldest = buckets.values().iterator();
            eldest.next();
            eldest.remove();
        }
        if (bucket.tokens < 1) {
            return false;
        }
        bucket.tokens -= 1;
        return true;
    }

    @Scheduled(fixedDelay = 1, timeUnit = TimeUnit.MINUTES)
    synchronized void evictIdle() {
        Instant now = clock.instant();
        buckets.values().removeIf(bucket -> {
            bucket.refill(now);
            return bucket.tokens >= capacity;
        });
    }

    synchronized int size() {
        return buckets.size();
    }

    private static String key(Integer pid, String cwd) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((pid == null ? "-" : pid.toString()).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return HexFormat.of().formatHex(sha.digest(cwd.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private final class Bucket {
        private double tokens;
        private Instant refilledAt;

        Bucket(double tokens, Instant now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        void refill(Instant now) {
            if (now.isAfter(refilledAt)) {
                double elapsed = Duration.between(refilledAt, now).toNanos() / (double) REFILL_PERIOD.toNanos();
                tokens = Math.min(capacity, tokens + elapsed * capacity);
                refilledAt = now;
            }
        }
    }
}
