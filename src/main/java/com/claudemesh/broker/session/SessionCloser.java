package com.claudemesh.broker.session;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.routing.Dispatcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes the end of sessions (PROTOCOL A.6, A.13) with group commit: the sessions that end while
 * one batch is written — ten thousand at once when a network drops — are written by the next, in
 * one transaction: their unconfirmed claims released, their presences closed, their {@code
 * session_closed} events recorded. After the commit their members are drained, so other sessions
 * take what was released. A batch that cannot get a database connection is tried again a second
 * later: a presence is never left open because the pool was busy.
 */
@Component
class SessionCloser implements DisposableBean {

    private static final int MAX_BATCH = 1_000;
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(SessionCloser.class);

    record Ended(String presenceId, String memberId, String meshId, Map<String, Object> metadata) {}

    private final Dispatcher dispatcher;
    private final Presences presences;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final GroupCommit<Ended> queue;

    SessionCloser(
            Dispatcher dispatcher,
            Presences presences,
            AuditLog audit,
            TransactionTemplate tx,
            MeterRegistry registry) {
        this.dispatcher = dispatcher;
        this.presences = presences;
        this.audit = audit;
        this.tx = tx;
        this.queue = new GroupCommit<>("session-closer", ended -> 1, MAX_BATCH, this::write, registry);
    }

    void ended(Ended ended) {
        if (!queue.add(ended)) {
            // Shutting down: the instance's release step closes every presence of this process.
            log.debug("Session end not written, the broker is stopping");
        }
    }

    private void write(List<Ended> batch) {
        try {
            tx.executeWithoutResult(status -> {
                List<String> ids = batch.stream().map(Ended::presenceId).toList();
                dispatcher.releaseClaimsOf(ids);
                presences.closeAll(ids);
                audit.recordAll(batch.stream()
                        .map(e -> new AuditLog.Event(e.meshId(), "session_closed", e.memberId(), null, e.metadata()))
                        .toList());
            });
        } catch (CannotCreateTransactionException | CannotGetJdbcConnectionException e) {
            log.warn(
                    "Closing {} presence(s) failed, retrying: {}",
                    batch.size(),
                    e.getClass().getSimpleName());
            retryLater(batch);
            return;
        } catch (DataAccessException | TransactionException e) {
            if (batch.size() > 1) {
                batch.forEach(ended -> write(List.of(ended)));
            } else {
                log.warn(
                        "Closing a presence failed; its claims lapse with it: {}",
                        e.getClass().getSimpleName());
            }
            return;
        }
        batch.stream().map(Ended::memberId).distinct().forEach(dispatcher::request);
    }

    private void retryLater(List<Ended> batch) {
        try {
            Thread.sleep(RETRY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        batch.forEach(queue::add);
    }

    @Override
    public void destroy() {
        queue.stop(Duration.ofSeconds(5));
    }
}
