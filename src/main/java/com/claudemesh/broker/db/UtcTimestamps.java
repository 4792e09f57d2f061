package com.claudemesh.broker.db;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * The claudemesh schema stores UTC in {@code timestamp without time zone} columns. Binding
 * {@link LocalDateTime} in UTC (never {@link Timestamp}, which the driver shifts by the JVM's zone)
 * keeps values right whatever time zone the broker's JVM runs in.
 */
public final class UtcTimestamps {

    private UtcTimestamps() {}

    /**
     * PostgreSQL keeps microseconds and would round the nanoseconds away; truncating here makes the
     * stored value the same one Java compares with, whatever the last three digits were.
     */
    public static LocalDateTime toDb(Instant instant) {
        return instant == null ? null : LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    public static Instant fromDb(LocalDateTime value) {
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
}
