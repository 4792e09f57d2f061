package com.claudemesh.broker.invite;

import org.springframework.context.ApplicationContext;

/**
 * For tests of other packages that send many joins: every request of the tests comes from
 * 127.0.0.1, one bucket of {@code JOIN_RATE_LIMIT_PER_IP_PER_MIN}; they refill it between cases and
 * leave it full for the tests after them.
 */
public final class JoinRateLimits {

    private JoinRateLimits() {}

    public static void refill(ApplicationContext context) {
        context.getBean(JoinRateLimiter.class).reset();
    }
}
