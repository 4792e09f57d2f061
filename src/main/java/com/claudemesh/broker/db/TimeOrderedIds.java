package com.claudemesh.broker.db;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Primary keys the broker makes for rows it inserts at message rate (envelopes, audit events,
 * presences): RFC 9562 version 7 UUIDs, the creation's millisecond in the first 48 bits, then 74
 * random bits. They are UUIDs like the version 4 ones before them (ids are text, PROTOCOL Part C),
 * but each new one sorts after those of earlier milliseconds, so its B-tree entry lands on the
 * index's rightmost leaf instead of a random page: a random key touches a different page per
 * insert, each page's first change after a checkpoint writes the whole page to the WAL, and the
 * working set of the index is all of it. The random bits come from {@link SecureRandom}, as
 * {@link UUID#randomUUID} does: an id names a message and must not be guessable from another.
 */
public final class TimeOrderedIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {}

    /** A new id for a row created at {@code now}. */
    public static String next(Instant now) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long millis = now.toEpochMilli();
        long high = (millis << 16) | 0x7000L | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
        long low = 0x8000_0000_0000_0000L | (random[2] & 0x3FL) << 56;
        for (int i = 3; i < 10; i++) {
            low |= (random[i] & 0xFFL) << (8 * (9 - i));
        }
        return new UUID(high, low).toString();
    }
}
