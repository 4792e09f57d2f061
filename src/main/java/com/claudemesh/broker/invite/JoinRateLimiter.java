package com.claudemesh.broker.invite;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.ratelimit.TokenBuckets;
import java.time.Clock;
import org.springframework.stereotype.Component;

/**
 * A token bucket per client IP for {@code POST /join}: capacity and refill of {@code
 * JOIN_RATE_LIMIT_PER_IP_PER_MIN} per minute, so a burst up to the limit passes and a steady
 * guesser is held to the limit. The bucket count is bounded, so a spray of source addresses cannot
 * grow memory.
 */
@Component
class JoinRateLimiter {

    private static final int MAX_BUCKETS = 10_000;

    private final TokenBuckets buckets;

    JoinRateLimiter(BrokerProperties properties, Clock clock) {
        int perMinute = properties.joinRateLimitPerIpPerMin();
        this.buckets = new TokenBuckets(clock, MAX_BUCKETS, perMinute, perMinute);
    }

    boolean tryAcquire(String clientIp) {
        return buckets.tryAcquire(clientIp);
    }
}
