package com.claudemesh.broker.session;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.presence.Presence;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.presence.Status;
import com.claudemesh.broker.routing.Dispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Opens the sessions of accepted hellos (PROTOCOL A.3) in batches: the hellos that arrive while a
 * batch is being stored wait in a queue and are stored together, so a burst of hellos costs a few
 * statements and one commit per batch instead of five round trips and a commit each. The batch size
 * grows with the load by itself; a lone hello is a batch of one.
 *
 * <p>Per session the order is the one of a single hello: presence row and {@code session_opened}
 * event committed together (never one without the other), registered, status re-read, {@code
 * hello_ack} queued, then pushes. Each hello is answered only after its batch committed. If a batch
 * fails, its hellos are stored one by one, so a hello whose row cannot be stored fails alone.
 */
@Component
class SessionOpener implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SessionOpener.class);

    /** Bounds one transaction; at 1 000 hellos/s a batch holds a few dozen. */
    static final int MAX_BATCH = 128;
    /** Two batches in flight: one can commit while the next is being written. */
    private static final int COMMITTERS = 2;

    private record Request(Connection connection, Frames.Hello hello, Member member, CompletableFuture<Boolean> done) {}

    private record Opened(Request request, Presence presence) {}

    private final Presences presences;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final SessionRegistry registry;
    private final BrokerMetrics metrics;
    private final Dispatcher dispatcher;
    private final BlockingQueue<Request> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> committers = new ArrayList<>();

    SessionOpener(
            Presences presences,
            AuditLog audit,
            TransactionTemplate tx,
            SessionRegistry registry,
            BrokerMetrics metrics,
            Dispatcher dispatcher) {
        this.presences = presences;
        this.audit = audit;
        this.tx = tx;
        this.registry = registry;
        this.metrics = metrics;
        this.dispatcher = dispatcher;
        for (int i = 0; i < COMMITTERS; i++) {
            committers.add(Thread.ofVirtual().name("session-opener-" + i).start(this::commitLoop));
        }
    }

    /**
     * Opens the session of an accepted hello and queues its {@code hello_ack}; returns once that is
     * done. {@code false} when the database could not store it: nothing was opened.
     */
    boolean open(Connection connection, Frames.Hello hello, Member member) {
        Request request = new Request(connection, hello, member, new CompletableFuture<>());
        waiting.add(request);
        return request.done().join();
    }

    private void commitLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            List<Request> batch = new ArrayList<>();
            try {
                batch.add(waiting.take());
                waiting.drainTo(batch, MAX_BATCH - 1);
                openBatch(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("Opening a batch of sessions failed", e);
            } finally {
                // Whatever went wrong, no hello may wait for ever; completed ones keep their answer.
                batch.forEach(request -> request.done().complete(false));
            }
        }
    }

    private void openBatch(List<Request> batch) {
        List<Opened> opened = store(batch);
        for (Opened o : opened) {
            o.request().connection().opened(o.request().member(), o.presence());
            registry.register(o.request().connection());
        }
        if (opened.isEmpty()) {
            return;
        }
        List<String> ids = opened.stream().map(o -> o.presence().id()).toList();
        // A hook that landed between the commit and register() found no session to tell; read back once.
        try {
            Map<String, Status> stored = presences.liveStatuses(ids);
            for (Opened o : opened) {
                Status status = stored.get(o.presence().id());
                if (status != null) {
                    o.request().connection().statusChanged(status);
                }
            }
        } catch (DataAccessException e) {
            log.warn("Re-reading new presences failed: {}", e.getClass().getSimpleName());
        }
        for (Opened o : opened) {
            Connection connection = o.request().connection();
            Member member = o.request().member();
            metrics.connectionOpened();
            log.atInfo()
                    .setMessage("Session opened")
                    .addKeyValue("mesh_id", member.meshId())
                    .addKeyValue("presence_id", o.presence().id())
                    .log();
            connection.send(new Frames.HelloAck(o.presence().id(), member.displayName()));
            connection.startDelivering();
        }
        // Queued envelopes are pushed now (A.3). Asked only after delivery started: a send committed
        // later finds the session delivering and drains it itself.
        List<String> memberIds =
                opened.stream().map(o -> o.request().member().id()).distinct().toList();
        dispatcher.requestIfQueued(memberIds);
        opened.forEach(o -> o.request().done().complete(true));
    }

    /** Commits the batch, or as much of it as can be; the hellos that failed are answered. */
    private List<Opened> store(List<Request> batch) {
        try {
            return commit(batch);
        } catch (CannotCreateTransactionException e) {
            // No pooled connection: storing the hellos one by one would only wait as long again each.
            log.warn(
                    "Opening {} presence(s) failed: {}",
                    batch.size(),
                    e.getClass().getSimpleName());
            batch.forEach(request -> request.done().complete(false));
            return List.of();
        } catch (DataAccessException | TransactionException e) {
            if (batch.size() == 1) {
                log.warn("Opening a presence failed: {}", e.getClass().getSimpleName());
                batch.getFirst().done().complete(false);
                return List.of();
            }
            List<Opened> opened = new ArrayList<>();
            for (Request request : batch) {
                opened.addAll(store(List.of(request)));
            }
            return opened;
        }
    }

    private List<Opened> commit(List<Request> batch) {
        List<Presences.Opening> openings = batch.stream()
                .map(r -> new Presences.Opening(
                        r.member().id(),
                        r.hello().sessionId(),
                        r.hello().pid(),
                        r.hello().cwd()))
                .toList();
        List<Presence> attempted = new ArrayList<>();
        List<Presence> stored;
        try {
            // One commit for the presences and their audit events: a session never opens unaudited.
            stored = tx.execute(status -> {
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
        List<Opened> opened = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            opened.add(new Opened(batch.get(i), stored.get(i)));
        }
        return opened;
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
        committers.forEach(Thread::interrupt);
        List<Request> left = new ArrayList<>();
        waiting.drainTo(left);
        left.forEach(request -> request.done().complete(false));
    }
}
