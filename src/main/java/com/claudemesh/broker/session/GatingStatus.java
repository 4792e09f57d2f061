package com.claudemesh.broker.session;

import com.claudemesh.broker.presence.Status;
import com.claudemesh.broker.protocol.Priority;

/**
 * The status that gates a session's pushes (PROTOCOL A.7), held in memory. Two things set it: the
 * status change events, and one re-read of the stored row once the session is registered, which
 * catches up on the events that went out before there was a session here to tell. That re-read is
 * stale as soon as an event arrives after it was started — applying it then would undo a newer
 * status (a {@code set_status} sent right after {@code hello_ack}) — so it counts only if no event
 * came in between. No I/O.
 */
final class GatingStatus {

    private volatile Status status;
    /** Events heard so far; guarded by {@code this}. */
    private long heard;

    GatingStatus(Status initial) {
        this.status = initial;
    }

    boolean admits(Priority priority) {
        return status.admits(priority);
    }

    /** A status change event; true when the new status admits more than before. */
    synchronized boolean changed(Status next) {
        heard++;
        Status old = status;
        status = next;
        return next == Status.IDLE && old != Status.IDLE;
    }

    /** Taken before the stored status is read; the status read is then handed to {@link Reread#apply}. */
    synchronized Reread beforeReread() {
        return new Reread(heard);
    }

    /** A re-read of the stored status in progress, begun when {@code heardBefore} events had been heard. */
    final class Reread {

        private final long heardBefore;

        private Reread(long heardBefore) {
            this.heardBefore = heardBefore;
        }

        /** The stored status as read; ignored if an event came since the re-read began. */
        void apply(Status stored) {
            synchronized (GatingStatus.this) {
                if (heard == heardBefore) {
                    status = stored;
                }
            }
        }
    }
}
