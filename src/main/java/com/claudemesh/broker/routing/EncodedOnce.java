package com.claudemesh.broker.routing;

import java.util.function.Supplier;

/**
 * The frame text of one envelope, encoded by the first of its recipients' sessions that writes it
 * and reused by the others. A push frame names no recipient (PROTOCOL A.5), so the frames of a
 * broadcast to n members are identical: encoded once instead of n times. Two sessions writing at
 * the same moment may both encode; they write equal texts, and either is kept. A push with no
 * other recipient to share with keeps nothing ({@link #ALONE}): its text would only stay in memory
 * until the push is confirmed.
 */
public final class EncodedOnce {

    /** For a push whose frame no other push shares: encoded when written, not kept. */
    public static final EncodedOnce ALONE = new EncodedOnce(false);

    private final boolean kept;
    private volatile String text;

    private EncodedOnce(boolean kept) {
        this.kept = kept;
    }

    /** What the pushes of an envelope to {@code recipients} members share. */
    public static EncodedOnce forRecipients(int recipients) {
        return recipients > 1 ? new EncodedOnce(true) : ALONE;
    }

    /** The text {@code encode} makes, made at most once if kept, unless it throws (then nothing is kept). */
    public String text(Supplier<String> encode) {
        String encoded = text;
        if (encoded == null) {
            encoded = encode.get();
            if (kept) {
                text = encoded;
            }
        }
        return encoded;
    }
}
