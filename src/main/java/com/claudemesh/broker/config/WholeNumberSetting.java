package com.claudemesh.broker.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The settings given as whole numbers, with the range each accepts. One table serves the check of
 * the environment variables before anything binds them and the check of the bound values, so both
 * say the same thing: what the variable is, its range, and what it got.
 */
enum WholeNumberSetting {
    BROKER_PORT("broker.port", "a TCP port", 1, 65_535),
    STATUS_TTL_SECONDS("broker.status-ttl", Kind.SECONDS),
    HOOK_FRESH_WINDOW_SECONDS("broker.hook-fresh-window", Kind.SECONDS),
    MAX_CONNECTIONS_PER_MESH("broker.max-connections-per-mesh", "a whole number", 1, 100_000_000),
    MAX_MESSAGE_BYTES("broker.max-message-bytes", "a byte count", 1_024, 16 * 1024 * 1024),
    HOOK_RATE_LIMIT_PER_MIN("broker.hook-rate-limit-per-min", "a whole number", 1, 100_000_000),
    JOIN_RATE_LIMIT_PER_IP_PER_MIN("broker.join-rate-limit-per-ip-per-min", "a whole number", 1, 100_000_000),
    SEND_RATE_LIMIT_PER_MIN("broker.send-rate-limit-per-min", "a whole number", 1, 100_000_000),
    SEND_RATE_LIMIT_BURST("broker.send-rate-limit-burst", "a whole number", 1, 100_000_000),
    MESSAGE_TTL_SECONDS("broker.message-ttl", Kind.SECONDS),
    MESSAGE_RETENTION_SECONDS("broker.message-retention", Kind.SECONDS),
    OUTBOUND_QUEUE_FRAMES("broker.outbound-queue-frames", "a whole number", 1, 100_000_000),
    SLOW_CONSUMER_TIMEOUT_SECONDS("broker.slow-consumer-timeout", Kind.SECONDS),
    HELLO_RATE_LIMIT_PER_IP_PER_MIN("broker.hello-rate-limit-per-ip-per-min", "a whole number", 1, 100_000_000),
    MAX_PENDING_SOCKETS_PER_IP("broker.max-pending-sockets-per-ip", "a whole number", 1, 100_000_000),
    MAX_SOCKETS("broker.max-sockets", "a whole number", 1, 100_000_000),
    MAX_FRAMES_PER_SECOND("broker.max-frames-per-second", "a whole number", 1, 100_000_000),
    DATABASE_POOL_SIZE("spring.datasource.hikari.maximum-pool-size", "a whole number", 2, 10_000);

    private enum Kind {
        SECONDS
    }

    /** A century: long enough for any retention, short enough for every clock calculation. */
    private static final long MAX_SECONDS = 100L * 365 * 24 * 3600;

    private final String property;
    private final String what;
    private final long min;
    private final long max;

    WholeNumberSetting(String property, String what, long min, long max) {
        this.property = property;
        this.what = what;
        this.min = min;
        this.max = max;
    }

    WholeNumberSetting(String property, Kind seconds) {
        this(property, "a number of seconds", 1, MAX_SECONDS);
    }

    String property() {
        return property;
    }

    static Optional<WholeNumberSetting> byProperty(String property) {
        return Arrays.stream(values()).filter(s -> s.property.equals(property)).findFirst();
    }

    /** Checks the raw text of the environment variable (null: not set). */
    void checkText(String raw) {
        if (raw == null) {
            return;
        }
        String text = raw.trim();
        if (!text.matches("-?\\d{1,30}")) {
            throw invalid("'" + raw + "'");
        }
        BigInteger value = new BigInteger(text);
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw invalid(text);
        }
    }

    int require(int value) {
        if (value < min || value > max) {
            throw invalid(Integer.toString(value));
        }
        return value;
    }

    /** A duration bound from the variable's seconds (or from a property such as {@code 500ms}: positive is enough). */
    Duration require(Duration value) {
        if (value == null) {
            throw invalid("nothing");
        }
        if (value.isNegative() || value.isZero() || value.toSeconds() > max) {
            throw invalid(Long.toString(value.toSeconds()));
        }
        return value;
    }

    InvalidConfigurationException invalid(String got) {
        return new InvalidConfigurationException(
                name() + " must be " + what + " between " + min + " and " + max + ", got " + got);
    }
}
