package com.claudemesh.broker.presence;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.ratelimit.TokenBuckets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A.9 rate limit: one token bucket per (pid, cwd), capacity and refill {@code
 * HOOK_RATE_LIMIT_PER_MIN} per minute. Memory stays bounded: keys are fixed-size digests (a cwd can
 * be as long as the body), full buckets are dropped every minute, and past {@link #MAX_BUCKETS} the
 * least recently used bucket goes.
 */
@Component
class HookRateLimiter {

    static final int MAX_BUCKETS = 10_000;

    private final TokenBuckets buckets;

    HookRateLimiter(BrokerProperties properties, Clock clock) {
        int perMinute = properties.hookRateLimitPerMin();
        this.buckets = new TokenBuckets(clock, MAX_BUCKETS, perMinute, perMinute);
    }

    /** Takes a token for (pid, cwd); false when the bucket is empty. */
    boolean tryAcquire(Integer pid, String cwd) {
        return buckets.tryAcquire(key(pid, cwd));
    }

    @Scheduled(fixedDelay = 1, timeUnit = TimeUnit.MINUTES)
    void evictIdle() {
        buckets.evictFull();
    }

    int size() {
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
}
