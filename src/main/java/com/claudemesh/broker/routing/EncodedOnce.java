package com.claudemesh.broker.routing;

import java.util.function.Supplier;

/**
 * The frame text of one envelope, encoded by the first of its recipients' sessions that writes it
 * and reused by the others. A push frame names no recipient (PROTOCOL A.5), so the frames of a
 * broadcast to n members are identical: encoded once instead of n times. Two sessions writing at
 * the same moment may both encode; they write equal texts, and either is kept.
 */
public final class EncodedOnce {

    private volatile String text;

    /** The text {@code encode} makes, made at most once unless it throws (then nothing is kept). */
    public String text(Supplier<String> encode) {
        String encoded = text;
        if (encoded == null) {
            encoded = encode.get();
            text = encoded;
        }
        return encoded;
    }
}
