package com.claudemesh.broker.session;

import com.claudemesh.broker.routing.Dispatcher;
import com.claudemesh.broker.routing.Push;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The confirmations one session handed to the database (PROTOCOL A.6). They are written in the order
 * they are handed over, so once the latest is written, all are: the end of the session waits for it,
 * and the release of its claims never overtakes a confirmation (that would push a read delivery
 * again).
 */
final class SessionConfirmations {

    private static final Logger log = LoggerFactory.getLogger(SessionConfirmations.class);

    private final Dispatcher dispatcher;
    private final String memberId;
    private volatile CompletableFuture<Void> latest = CompletableFuture.completedFuture(null);

    SessionConfirmations(Dispatcher dispatcher, String memberId) {
        this.dispatcher = dispatcher;
        this.memberId = memberId;
    }

    /** The peer provably read these pushes. Callers hand confirmations over one at a time. */
    void confirm(List<Push> read) {
        if (!read.isEmpty()) {
            latest = dispatcher.confirm(
                    memberId, read.stream().map(Push::messageId).toList());
        }
    }

    /** Waits at most {@code wait} until every confirmation handed over is written or failed. */
    void await(Duration wait) {
        try {
            latest.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn(
                    "Confirming pushes failed; they are pushed again: {}",
                    e.getClass().getSimpleName());
        }
    }
}
