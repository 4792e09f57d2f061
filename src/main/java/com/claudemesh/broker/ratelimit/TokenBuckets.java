package com.claudemesh.broker.ratelimit;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link TokenBucket} per key, all with the same capacity and refill: sends per member, hooks per
 * (pid, cwd), joins and hellos per client address. Memory is bounded: past {@code maxKeys} buckets,
 * full ones are dropped first (a new bucket would be the same) and then the least recently used. No
 * I/O happens under the lock, so a virtual thread never holds it for long.
 */
public final class TokenBuckets {

    private static final double SECONDS_PER_MINUTE = 60;

    private final Clock clock;
    private final int maxKeys;
    private final double capacity;
    private final double perSecond;
    private final Map<String, TokenBucket> buckets = new LinkedHashMap<>(256, 0.75f, true);

    /** Buckets of {@code capacity} tokens refilling {@code perMinute} per minute, at most {@code maxKeys} of them. */
    public TokenBuckets(Clock clock, int maxKeys, double capacity, double perMinute) {
        this.clock = clock;
        this.maxKeys = maxKeys;
        this.capacity = capacity;
        this.perSecond = perMinute / SECONDS_PER_MINUTE;
    }

    /** Takes one token from {@code key}'s bucket; false when it is empty. */
    public synchronized boolean tryAcquire(String key) {
        TokenBucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                shrink();
            }
            bucket = new TokenBucket(clock, capacity, perSecond);
            buckets.put(key, bucket);
        }
        return bucket.tryTake();
    }

    /** Drops buckets that have refilled completely: they are indistinguishable from new ones. */
    public synchronized void evictFull() {
        buckets.values().removeIf(TokenBucket::full);
    }

    public synchronized int size() {
        return buckets.size();
    }

    /** Makes room for one more bucket. */
    private void shrink() {
        buckets.values().removeIf(TokenBucket::full);
        Iterator<TokenBucket> eldest = buckets.values().iterator();
        while (buckets.size() >= maxKeys && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
        }
    }
}
