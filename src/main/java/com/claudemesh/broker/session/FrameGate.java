package com.claudemesh.broker.session;

import com.claudemesh.broker.ratelimit.TokenBucket;

/**
 * A.1 flood control of one socket, a rule without I/O: every frame takes a token from the socket's
 * bucket ({@code MAX_FRAMES_PER_SECOND}, holding two seconds' worth). A frame without a token is
 * refused with {@code rate_limited}, a send's id echoed so its client can match it; once more than
 * a second's worth were refused in a row, the socket is flooding and is closed 1008 — a peer that
 * slows down when told is never closed. Only the socket's reader calls it.
 */
final class FrameGate {

    /** What becomes of one frame. */
    sealed interface Verdict permits Admitted, Refused, Flooding {}

    /** The frame is handled. */
    record Admitted() implements Verdict {}

    /** The frame is answered with {@code reply} and otherwise ignored. */
    record Refused(Frames.Error reply) implements Verdict {}

    /** The socket is closed 1008 {@code flooding}. */
    record Flooding() implements Verdict {}

    private static final Admitted ADMITTED = new Admitted();
    private static final Flooding FLOODING = new Flooding();

    private final TokenBucket bucket;
    private final int perSecond;
    private int refusedInARow;

    FrameGate(TokenBucket bucket, int perSecond) {
        this.bucket = bucket;
        this.perSecond = perSecond;
    }

    Verdict take(Frames.Inbound frame) {
        if (bucket.tryTake()) {
            refusedInARow = 0;
            return ADMITTED;
        }
        if (++refusedInARow > perSecond) {
            return FLOODING;
        }
        String id = switch (frame) {
            case Frames.Send send -> send.id();
            case Frames.BadSend bad -> bad.id();
            default -> null;
        };
        return new Refused(new Frames.Error("rate_limited", "more than MAX_FRAMES_PER_SECOND frames, slow down", id));
    }
}
