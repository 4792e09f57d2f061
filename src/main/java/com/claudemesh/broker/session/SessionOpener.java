package com.claudemesh.broker.session;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.db.Reachability;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.presence.HookToken;
import com.claudemesh.broker.presence.Presence;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.routing.Dispatcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * event are committed together: a session never opens unaudited. The same transaction records the
 * hello as seen (A.3 check 6, {@link SeenHellos}): a replay opens nothing.
 *
 * <p>Each connection learns of its presence through the future {@link #open} returns, registers and
 * starts delivering itself, and then completes {@link Opened#started}. Once every session of a batch
 * has started, the batch's members are drained if they have deliveries queued (A.3: queued envelopes
 * are pushed on hello) — asked after delivery started, so that a send committed meanwhile finds the
 * session delivering and drains it itself — and statuses written by hooks that landed before the
 * sessions were registered (nobody to tell then) are read back once for the batch — where no newer
 * status change event came meanwhile ({@link GatingStatus}).
 */
@Component
class SessionOpener implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SessionOpener.class);

    /** Bounds one transaction; at 1 000 hellos/s a batch holds a few dozen. */
    static final int MAX_BATCH = 128;
    /** Two batches in flight: one can commit while the next is being written. */
    private static final int COMMITTERS = 2;

    /** What became of a hello. */
    sealed interface Outcome {}

    /** A stored session: its presence (with the status it starts with), and the signal its connection gives once it takes pushes. */
    record Opened(Presence presence, HookToken hookToken, CompletableFuture<Void> started) implements Outcome {}

    /** A.3 check 6: this very hello was accepted before; nothing was stored. */
    record Replayed() implements Outcome {}

    /** The database could not store it, or the broker is shutting down: nothing was opened. */
    record NotStored(RuntimeException cause) implements Outcome {}

    private record Request(
            Frames.Hello hello, Member member, HookToken hookToken, CompletableFuture<Outcome> outcome) {}

    /** A batch as committed: {@code presences[i]} is the session of request i, null for a replay. */
    private record Stored(List<Presence> presences) {}

    private final Presences presences;
    private final SeenHellos seen;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final SessionRegistry registry;
    private final BrokerMetrics metrics;
    private final Dispatcher dispatcher;
    private final GroupCommit<Request, Stored> queue;

    SessionOpener(
            Presences presences,
            SeenHellos seen,
            AuditLog audit,
            TransactionTemplate tx,
            SessionRegistry registry,
            BrokerMetrics metrics,
            Dispatcher dispatcher,
            Reachability reachability,
            MeterRegistry meters) {
        this.presences = presences;
        this.seen = seen;
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
                reachability,
                new GroupCommit.Batch<>() {
                    @Override
                    public Stored commit(List<Request> batch) {
                        return store(batch);
                    }

                    @Override
                    public void committed(List<Request> batch, Stored stored) {
                        opened(batch, stored);
                    }

                    @Override
                    public void failed(Request request, RuntimeException cause) {
                        request.outcome().complete(new NotStored(cause));
                    }
                },
                meters);
    }

    /**
     * Completes with the stored session, the replay refusal, or what kept it from being stored;
     * never exceptionally.
     */
    CompletableFuture<Outcome> open(Frames.Hello hello, Member member) {
        Request request = new Request(hello, member, HookToken.random(), new CompletableFuture<>());
        if (!queue.add(request)) {
            request.outcome().complete(new NotStored(new IllegalStateException("the broker is shutting down")));
        }
        return request.outcome();
    }

    private Stored store(List<Request> batch) {
        List<Presence> attempted = new ArrayList<>();
        try {
            return tx.execute(status -> {
                List<Boolean> fresh = seen.record(batch.stream()
                        .map(r -> new SeenHellos.Sighting(
                                r.member().id(), r.hello().timestamp()))
                        .toList());
                List<Request> opening = new ArrayList<>(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    if (fresh.get(i)) {
                        opening.add(batch.get(i));
                    }
                }
                List<Presence> opened = presences.openAll(opening.stream()
                        .map(r -> new Presences.Opening(
                                r.member().id(),
                                r.hello().sessionId(),
                                r.hello().pid(),
                                r.hello().cwd(),
                                r.hookToken()))
                        .toList());
                attempted.addAll(opened);
                List<AuditLog.Event> events = new ArrayList<>(opened.size());
                for (int i = 0; i < opened.size(); i++) {
                    Member member = opening.get(i).member();
                    events.add(new AuditLog.Event(
                            member.meshId(),
                            "session_opened",
                            member.id(),
                            null,
                            Map.of("presence_id", opened.get(i).id())));
                }
                audit.recordAll(events);
                List<Presence> byRequest = new ArrayList<>(batch.size());
                for (int i = 0, next = 0; i < batch.size(); i++) {
                    byRequest.add(fresh.get(i) ? opened.get(next++) : null);
                }
                return new Stored(byRequest);
            });
        } catch (RuntimeException e) {
            forgetRolledBack(attempted);
            throw e;
        }
    }

    private void opened(List<Request> batch, Stored stored) {
        List<CompletableFuture<Void>> started = new ArrayList<>(batch.size());
        List<String> presenceIds = new ArrayList<>(batch.size());
        Set<String> memberIds = new LinkedHashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Request request = batch.get(i);
            Presence presence = stored.presences().get(i);
            if (presence == null) {
                request.outcome().complete(new Replayed());
                continue;
            }
            presenceIds.add(presence.id());
            memberIds.add(request.member().id());
            metrics.connectionOpened();
            log.atInfo()
                    .setMessage("Session opened")
                    .addKeyValue("mesh_id", request.member().meshId())
                    .addKeyValue("presence_id", presence.id())
                    .log();
            Opened opened = new Opened(presence, request.hookToken(), new CompletableFuture<>());
            started.add(opened.started());
            request.outcome().complete(opened);
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                .thenRun(() -> afterStart(presenceIds, List.copyOf(memberIds)));
    }

    private void afterStart(List<String> presenceIds, List<String> memberIds) {
        Map<String, GatingStatus.Reread> rereads = new HashMap<>();
        for (String presenceId : presenceIds) {
            registry.byPresence(presenceId)
                    .ifPresent(connection -> rereads.put(
                            presenceId, connection.session().status().beforeReread()));
        }
        try {
            if (!rereads.isEmpty()) {
                presences
                        .liveStatuses(rereads.keySet())
                        .forEach((presenceId, stored) -> rereads.get(presenceId).apply(stored));
            }
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
