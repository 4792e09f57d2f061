package com.claudemesh.broker.session;

import com.claudemesh.broker.mesh.Member;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One socket's sends in flight. The reader hands a send to the group commit and reads on — so pongs
 * are never stuck behind sends — until {@link #IN_FLIGHT} of them wait for their ack; then it waits
 * for one. A peer that does not read its acks is bounded like any other, and order per sender holds
 * because the group commit keeps the order in which sends are handed to it.
 */
final class SendPipeline {

    static final int IN_FLIGHT = 64;

    /** How long the reader waits for a free place before it gives up on a broker that cannot commit. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final SendHandler handler;
    private final Semaphore places = new Semaphore(IN_FLIGHT);

    SendPipeline(SendHandler handler) {
        this.handler = handler;
    }

    /** Hands the send over; {@code reply} gets its answer. False when no place became free in time. */
    boolean submit(Member sender, Frames.Send send, boolean oversized, Consumer<Object> reply) {
        try {
            if (!places.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
        handler.handle(sender, send, oversized, answer -> {
            reply.accept(answer);
            places.release();
        });
        return true;
    }
}
