package com.claudemesh.broker.session;

import com.claudemesh.broker.routing.Dispatcher;
import com.claudemesh.broker.routing.Push;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The confirmations one session handed to the database (PROTOCOL A.6), and when all of them are
 * settled: the end of the session is written only then ({@link SessionCloser}), so the release of
 * its claims never overtakes a confirmation — that would push a read delivery again. A confirmation
 * waiting for the database to return keeps the end waiting with it.
 */
final class SessionConfirmations {

    private final Dispatcher dispatcher;
    private final String memberId;
    /** Completes (never exceptionally) once every confirmation handed over is written or failed. */
    private volatile CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);

    SessionConfirmations(Dispatcher dispatcher, String memberId) {
        this.dispatcher = dispatcher;
        this.memberId = memberId;
    }

    /** The peer provably read these pushes. Callers hand confirmations over one at a time. */
    void confirm(List<Push> read) {
        if (!read.isEmpty()) {
            // A retried batch is written after later ones: wait for each, not only the latest.
            CompletableFuture<Void> written = dispatcher.confirm(
                    memberId, read.stream().map(Push::messageId).toList());
            settled = CompletableFuture.allOf(settled, written.exceptionally(failure -> null));
        }
    }

    CompletableFuture<Void> settled() {
        return settled;
    }
}
