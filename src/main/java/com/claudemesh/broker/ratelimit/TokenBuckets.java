package com.claudemesh.broker.ratelimit;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets by key, the one rate-limiting mechanism of the broker (sends per member, hooks per
 * (pid, cwd), joins per client IP). A bucket holds at most {@code capacity} tokens and refills
 * {@code perMinute} tokens per minute of the injected clock. Memory is bounded: past {@code maxKeys}
 * buckets, full ones are dropped first (a new bucket would be the same) and then the least recently
 * used. No I/O happens under the lock, so a virtual thread never holds it for long.
 */
public final class TokenBuckets {

    private static final double NANOS_PER_MINUTE = 60e9;

    private final Clock clock;
    private final int maxKeys;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true);

    public TokenBuckets(Clock clock, int maxKeys) {
        this.clock = clock;
        this.maxKeys = maxKeys;
    }

    /** Takes one token from {@code key}'s bucket; false when it is empty. */
    public synchronized boolean tryAcquire(String key, double capacity, double perMinute) {
        long now = nanos(clock.instant());
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                shrink(now, capacity, perMinute);
            }
            bucket = new Bucket(capacity, now);
            buckets.put(key, bucket);
        }
        bucket.refill(now, capacity, perMinute);
        if (bucket.tokens < 1) {
            return false;
        }
        bucket.tokens -= 1;
        return true;
    }

    /** Drops buckets that have refilled completely: they are indistinguishable from new ones. */
    public synchronized void evictFull(double capacity, double perMinute) {
        long now = nanos(clock.instant());
        buckets.values().removeIf(bucket -> bucket.refill(now, capacity, perMinute) >= capacity);
    }

    public synchronized int size() {
        return buckets.size();
    }

    public synchronized void clear() {
        buckets.clear();
    }

    /** Makes room for one more bucket. */
    private void shrink(long now, double capacity, double perMinute) {
        buckets.values().removeIf(bucket -> bucket.refill(now, capacity, perMinute) >= capacity);
        Iterator<Bucket> eldest = buckets.values().iterator();
        while (buckets.size() >= maxKeys && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        double refill(long now, double capacity, double perMinute) {
            if (now > refilledAt) {
                tokens = Math.min(capacity, tokens + (now - refilledAt) * perMinute / NANOS_PER_MINUTE);
                refilledAt = now;
            }
            return tokens;
        }
    }
}
