package com.claudemesh.broker.session;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.db.Reachability;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.presence.Presence;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.routing.Dispatcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes the end of sessions (PROTOCOL A.6, A.13) with group commit: the sessions that end while
 * one batch is written — ten thousand at once when a network drops — are written by the next, in
 * one transaction: their unconfirmed claims released, their presences closed, their {@code
 * session_closed} events recorded. After the commit their members are drained, so other sessions
 * take what was released. Without a database the batch is retried ({@link
 * GroupCommit.WhileUnavailable#RETRY}): a presence is never left open because the pool was busy.
 */
@Component
class SessionCloser implements DisposableBean {

    private static final int MAX_BATCH = 1_000;
    private static final Logger log = LoggerFactory.getLogger(SessionCloser.class);

    private record Ended(String presenceId, String memberId, String meshId, Map<String, Object> metadata) {}

    private final Dispatcher dispatcher;
    private final Presences presences;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final BrokerMetrics metrics;
    private final GroupCommit<Ended, Void> queue;

    SessionCloser(
            Dispatcher dispatcher,
            Presences presences,
            AuditLog audit,
            TransactionTemplate tx,
            BrokerMetrics metrics,
            Reachability reachability,
            MeterRegistry registry) {
        this.dispatcher = dispatcher;
        this.presences = presences;
        this.audit = audit;
        this.tx = tx;
        this.metrics = metrics;
        this.queue = new GroupCommit<>(
                "session-closer",
                1,
                ended -> 1,
                MAX_BATCH,
                GroupCommit.WhileUnavailable.RETRY,
                reachability,
                new GroupCommit.Batch<>() {
                    @Override
                    public Void commit(List<Ended> batch) {
                        write(batch);
                        return null;
                    }

                    @Override
                    public void committed(List<Ended> batch, Void nothing) {
                        batch.stream().map(Ended::memberId).distinct().forEach(dispatcher::request);
                    }

                    @Override
                    public void failed(Ended ended, RuntimeException cause) {
                        // Its claims lapse with the presence (DeliveryClaims.CLAIM_LEASE); the
                        // instance's release step or the next start closes the presence.
                        log.atWarn()
                                .addKeyValue("presence_id", ended.presenceId())
                                .log("The end of a session was not written");
                    }
                },
                registry);
    }

    /**
     * The session ended with {@code reason}. Once its confirmations are {@code settled} — at once,
     * or when the database returns — its claims are released, its presence closed and its end
     * audited with the next batch.
     */
    void ended(OpenSession session, String reason, int closeCode, CompletableFuture<Void> settled) {
        Presence presence = session.presence();
        Member member = session.member();
        metrics.connectionClosed();
        log.atInfo()
                .setMessage("Session closed")
                .addKeyValue("mesh_id", member.meshId())
                .addKeyValue("presence_id", presence.id())
                .addKeyValue("reason", reason)
                .addKeyValue("close_code", closeCode)
                .log();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("presence_id", presence.id());
        metadata.put("reason", reason);
        metadata.put("close_code", closeCode);
        Ended ended = new Ended(presence.id(), member.id(), member.meshId(), metadata);
        settled.thenRun(() -> {
            if (!queue.add(ended)) {
                // Shutting down: the instance's release step closes every presence of this process.
                log.debug("Session end not written, the broker is stopping");
            }
        });
    }

    private void write(List<Ended> batch) {
        tx.executeWithoutResult(status -> {
            Map<String, String> memberByPresence = batch.stream()
                    .collect(Collectors.toMap(Ended::presenceId, Ended::memberId, (a, b) -> a, LinkedHashMap::new));
            dispatcher.releaseClaimsOf(memberByPresence);
            presences.closeAll(List.copyOf(memberByPresence.keySet()));
            audit.recordAll(batch.stream()
                    .map(e -> new AuditLog.Event(e.meshId(), "session_closed", e.memberId(), null, e.metadata()))
                    .toList());
        });
    }

    @Override
    public void destroy() {
        queue.stop(Duration.ofSeconds(5));
    }
}
