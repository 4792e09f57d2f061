package com.claudemesh.broker.session;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.presence.Presence;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.presence.Status;
import com.claudemesh.broker.routing.Dispatcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores the sessions of accepted hellos (PROTOCOL A.3) with group commit: the hellos that arrive
 * while a batch is being stored are stored together, so a burst of hellos costs one transaction per
 * batch instead of several round trips each. A presence row and its {@code session_opened} audit
 * event are committed together: a session never opens unaudited.
 *
 * <p>Each connection learns of its presence through the future {@link #open} returns, registers and
 * starts delivering itself, and then completes {@link Opened#started}. Once every session of a batch
 * has started, the batch's members are drained if they have deliveries queued (A.3: queued envelopes
 * are pushed on hello) — asked after delivery started, so that a send committed meanwhile finds the
 * session delivering and drains it itself — and statuses written by hooks that landed before the
 * sessions were registered (nobody to tell then) are read back once for the batch.
 */
@Component
class SessionOpener implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SessionOpener.class);

    /** Bounds one transaction; at 1 000 hellos/s a batch holds a few dozen. */
    static final int MAX_BATCH = 128;
    /** Two batches in flight: one can commit while the next is being written. */
    private static final int COMMITTERS = 2;

    /** A stored session: its presence (with the status it starts with), and the signal its connection gives once it takes pushes. */
    record Opened(Presence presence, CompletableFuture<Void> started) {}

    private record Request(Frames.Hello hello, Member member, CompletableFuture<Opened> opened) {}

    private final Presences presences;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final SessionRegistry registry;
    private final BrokerMetrics metrics;
    private final Dispatcher dispatcher;
    private final GroupCommit<Request, List<Presence>> queue;

    SessionOpener(
            Presences presences,
            AuditLog audit,
            TransactionTemplate tx,
            SessionRegistry registry,
            BrokerMetrics metrics,
            Dispatcher dispatcher,
            MeterRegistry meters) {
        this.presences = presences;
        this.audit = audit;
        this.tx = tx;
        this.registry = registry;
        this.metrics = metrics;
        this.dispatcher = dispatcher;
        this.queue = new GroupCommit<>(
                "session-opener",
                COMMITTERS,
                request -> 1,
                MAX_BATCH,
                GroupCommit.WhileUnavailable.FAIL,
                new GroupCommit.Batch<>() {
                    @Override
                    public List<Presence> commit(List<Request> batch) {
                        return store(batch);
                    }

                    @Override
                    public void committed(List<Request> batch, List<Presence> stored) {
                        opened(batch, stored);
                    }

                    @Override
                    public void failed(Request request, RuntimeException cause) {
                        request.opened().completeExceptionally(cause);
                    }
                },
                meters);
    }

    /** Completes with the stored session, or exceptionally when the database could not store it: nothing was opened. */
    CompletableFuture<Opened> open(Frames.Hello hello, Member member) {
        Request request = new Request(hello, member, new CompletableFuture<>());
        if (!queue.add(request)) {
            request.opened().completeExceptionally(new IllegalStateException("the broker is shutting down"));
        }
        return request.opened();
    }

    private List<Presence> store(List<Request> batch) {
        List<Presences.Opening> openings = batch.stream()
                .map(r -> new Presences.Opening(
                        r.member().id(),
                        r.hello().sessionId(),
                        r.hello().pid(),
                        r.hello().cwd()))
                .toList();
        List<Presence> attempted = new ArrayList<>();
        try {
            return tx.execute(status -> {
                List<Presence> opened = presences.openAll(openings);
                attempted.addAll(opened);
                List<AuditLog.Event> events = new ArrayList<>(opened.size());
                for (int i = 0; i < opened.size(); i++) {
                    Member member = batch.get(i).member();
                    events.add(new AuditLog.Event(
                            member.meshId(),
                            "session_opened",
                            member.id(),
                            null,
                            Map.of("presence_id", opened.get(i).id())));
                }
                audit.recordAll(events);
                return opened;
            });
        } catch (RuntimeException e) {
            forgetRolledBack(attempted);
            throw e;
        }
    }

    private void opened(List<Request> batch, List<Presence> stored) {
        List<CompletableFuture<Void>> started = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Request request = batch.get(i);
            Presence presence = stored.get(i);
            metrics.connectionOpened();
            log.atInfo()
                    .setMessage("Session opened")
                    .addKeyValue("mesh_id", request.member().meshId())
                    .addKeyValue("presence_id", presence.id())
                    .log();
            Opened opened = new Opened(presence, new CompletableFuture<>());
            started.add(opened.started());
            request.opened().complete(opened);
        }
        List<String> presenceIds = stored.stream().map(Presence::id).toList();
        List<String> memberIds =
                batch.stream().map(r -> r.member().id()).distinct().toList();
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                .thenRun(() -> afterStart(presenceIds, memberIds));
    }

    private void afterStart(List<String> presenceIds, List<String> memberIds) {
        try {
            Map<String, Status> stored = presences.liveStatuses(presenceIds);
            stored.forEach((presenceId, status) -> registry.byPresence(presenceId)
                    .ifPresent(connection -> connection.session().statusChanged(status)));
        } catch (DataAccessException e) {
            log.warn("Re-reading new presences failed: {}", e.getClass().getSimpleName());
        }
        dispatcher.requestIfQueued(memberIds);
    }

    /** The presences were opened in memory but their rows rolled back: drop them from this process's pings. */
    private void forgetRolledBack(List<Presence> rolledBack) {
        for (Presence presence : rolledBack) {
            try {
                presences.close(presence.id());
            } catch (DataAccessException e) {
                log.debug("Forgetting a rolled-back presence: {}", e.getClass().getSimpleName());
            }
        }
    }

    @Override
    public void destroy() {
        queue.stop(Duration.ofSeconds(2));
    }
}
