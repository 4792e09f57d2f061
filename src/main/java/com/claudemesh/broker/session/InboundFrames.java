package com.claudemesh.broker.session;

import com.claudemesh.broker.ratelimit.TokenBucket;

/**
 * PROTOCOL A.1 for what one socket's peer sends, a rule without I/O, in this order:
 *
 * <ol>
 *   <li>fragments are assembled and measured ({@link MessageAssembler}); a message growing past
 *       {@code MAX_MESSAGE_BYTES} closes the socket 1009;
 *   <li>the whole frame is parsed ({@link Frames#parse});
 *   <li>flood control: every frame takes a token from the socket's bucket ({@code
 *       MAX_FRAMES_PER_SECOND}, holding two seconds' worth). A frame without one is refused {@code
 *       rate_limited}, a send's id echoed so its client can match it; once more than a second's
 *       worth were refused in a row the socket is flooding and is closed 1008 — a peer that slows
 *       down when told is never closed;
 *   <li>size: an open session's {@code send} over the byte limit goes on, to be refused {@code
 *       too_large} with its id (A.4); any other frame over it closes the socket 1009.
 * </ol>
 *
 * What passes is a frame for the {@link Connection}'s state to decide. The socket's reader only.
 */
final class InboundFrames {

    /** What one fragment comes to. */
    sealed interface Step permits More, RateLimited, Flooding, TooBig, Frame {}

    /** Nothing yet: the message is not whole, or it is the rest of one already refused. */
    record More() implements Step {}

    /** The frame is answered with {@code reply} and otherwise ignored. */
    record RateLimited(Frames.Error reply) implements Step {}

    /** The socket is closed 1008 {@code flooding}. */
    record Flooding() implements Step {}

    /** The socket is closed 1009. */
    record TooBig() implements Step {}

    /** A frame to handle; {@code oversized} only for an open session's send. */
    record Frame(Frames.Inbound frame, boolean oversized) implements Step {}

    private static final More MORE = new More();
    private static final Flooding FLOODING = new Flooding();
    private static final TooBig TOO_BIG = new TooBig();

    private final MessageAssembler assembler;
    private final TokenBucket bucket;
    private final int perSecond;
    private int refusedInARow;

    InboundFrames(int maxMessageBytes, TokenBucket bucket, int perSecond) {
        this.assembler = new MessageAssembler(maxMessageBytes);
        this.bucket = bucket;
        this.perSecond = perSecond;
    }

    /** {@code open}: the session passed hello. */
    Step take(String part, boolean last, boolean open) {
        return switch (assembler.add(part, last)) {
            case MessageAssembler.Partial partial -> MORE;
            case MessageAssembler.TooBig tooBig -> TOO_BIG;
            case MessageAssembler.Whole whole -> whole(Frames.parse(whole.text()), whole.oversized(), open);
        };
    }

    private Step whole(Frames.Inbound frame, boolean oversized, boolean open) {
        if (!bucket.tryTake()) {
            return ++refusedInARow > perSecond ? FLOODING : new RateLimited(rateLimited(frame));
        }
        refusedInARow = 0;
        if (!oversized) {
            return new Frame(frame, false);
        }
        boolean aSend = frame instanceof Frames.Send || frame instanceof Frames.BadSend;
        return open && aSend ? new Frame(frame, true) : TOO_BIG;
    }

    private static Frames.Error rateLimited(Frames.Inbound frame) {
        String id = switch (frame) {
            case Frames.Send send -> send.id();
            case Frames.BadSend bad -> bad.id();
            default -> null;
        };
        return new Frames.Error("rate_limited", "more than MAX_FRAMES_PER_SECOND frames, slow down", id);
    }
}
