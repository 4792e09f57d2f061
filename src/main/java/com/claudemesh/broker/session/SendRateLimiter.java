package com.claudemesh.broker.session;

import com.claudemesh.broker.ratelimit.TokenBuckets;
import java.time.Clock;
import org.springframework.stereotype.Component;

/**
 * Per-member token bucket for sends (SEND_RATE_LIMIT_PER_MIN refill, SEND_RATE_LIMIT_BURST capacity),
 * shared by all of a member's sessions on this broker.
 */
@Component
class SendRateLimiter {

    private static final int MAX_BUCKETS = 100_000;

    private final TokenBuckets buckets;

    SendRateLimiter(Clock clock, SessionSettings settings) {
        this.buckets = new TokenBuckets(clock, MAX_BUCKETS, settings.sendBurst(), settings.sendRatePerMinute());
    }

    boolean tryAcquire(String memberId) {
        return buckets.tryAcquire(memberId);
    }
}
