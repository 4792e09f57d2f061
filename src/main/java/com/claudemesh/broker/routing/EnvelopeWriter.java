package com.claudemesh.broker.routing;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.db.Reachability;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.protocol.Priority;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Stores envelopes with group commit and pushes them (PROTOCOL A.4, A.6). Sends of all sessions
 * queue here; one thread writes whatever is waiting as one statement — envelopes, deliveries, their
 * {@code message_routed} audit events and the wake-ups of other processes — and only after it acks
 * the senders and pushes to recipients. A recipient whose member is quiet ({@link
 * Dispatcher#directTarget}) is claimed for its session in the insert itself and pushed straight
 * from memory; every other delivery is queued for the dispatcher to drain.
 */
@Component
class EnvelopeWriter implements DisposableBean {

    /** Rows of one transaction at most (a broadcast to a large mesh is written alone). */
    private static final int MAX_ROWS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(EnvelopeWriter.class);

    /** A send that passed its checks: the envelope, its recipients in order, and who waits for the commit. */
    record Submission(
            DeliveryStore.NewEnvelope envelope,
            String senderPubkey,
            List<String> recipientIds,
            boolean broadcast,
            CompletableFuture<Void> committed) {

        int rows() {
            return 2 + recipientIds.size();
        }
    }

    /** One delivery of a batch, with the session it goes to straight away (or null: queued). */
    private record Planned(Submission submission, String memberId, DeliveryTarget target) {}

    private final DeliveryStore store;
    private final AuditLog audit;
    private final Dispatcher dispatcher;
    private final LiveSessions sessions;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final GroupCommit<Submission, List<Planned>> queue;

    EnvelopeWriter(
            DeliveryStore store,
            AuditLog audit,
            Dispatcher dispatcher,
            LiveSessions sessions,
            BrokerMetrics metrics,
            Clock clock,
            Reachability reachability,
            MeterRegistry registry) {
        this.store = store;
        this.audit = audit;
        this.dispatcher = dispatcher;
        this.sessions = sessions;
        this.metrics = metrics;
        this.clock = clock;
        this.queue = new GroupCommit<>(
                "envelope-writer",
                1,
                Submission::rows,
                MAX_ROWS,
                GroupCommit.WhileUnavailable.FAIL,
                reachability,
                new GroupCommit.Batch<>() {
                    @Override
                    public List<Planned> commit(List<Submission> batch) {
                        List<Planned> plan = plan(batch);
                        persist(batch, plan);
                        return plan;
                    }

                    @Override
                    public void committed(List<Submission> batch, List<Planned> plan) {
                        deliver(plan, clock.instant());
                        for (Submission submission : batch) {
                            metrics.messageRouted(submission.envelope().priority());
                            submission.committed().complete(null);
                        }
                    }

                    @Override
                    public void failed(Submission submission, RuntimeException cause) {
                        // Nothing of it is stored: the sender is told and may send it again.
                        submission.committed().completeExceptionally(cause);
                    }
                },
                registry);
    }

    /** Completes once the envelope is committed, or exceptionally when it was not stored. */
    CompletableFuture<Void> submit(Submission submission) {
        if (!queue.add(submission)) {
            submission.committed().completeExceptionally(new IllegalStateException("the broker is shutting down"));
        }
        return submission.committed();
    }

    /**
     * Chooses, in send order, which deliveries go straight to a session: that session's buffer must
     * have room for everything this batch gives it. Once one delivery of a member is queued, its
     * later ones in the batch are queued too — the room can grow meanwhile (a pong), and a later
     * one pushed directly would overtake the queued one.
     */
    private List<Planned> plan(List<Submission> batch) {
        List<Planned> plan = new ArrayList<>();
        Map<DeliveryTarget, Integer> given = new HashMap<>();
        Set<String> queued = new HashSet<>();
        for (Submission submission : batch) {
            Priority priority = submission.envelope().priority();
            for (String memberId : submission.recipientIds()) {
                Optional<DeliveryTarget> direct =
                        queued.contains(memberId) ? Optional.empty() : dispatcher.directTarget(memberId, priority);
                DeliveryTarget target = null;
                if (direct.isPresent()
                        && given.getOrDefault(direct.get(), 0) < direct.get().room()) {
                    target = direct.get();
                    given.merge(target, 1, Integer::sum);
                } else {
                    queued.add(memberId);
                }
                plan.add(new Planned(submission, memberId, target));
            }
        }
        return plan;
    }

    private void persist(List<Submission> batch, List<Planned> plan) {
        Instant now = clock.instant();
        List<DeliveryStore.NewDelivery> deliveries = new ArrayList<>(plan.size());
        Set<String> elsewhere = new LinkedHashSet<>();
        for (Planned planned : plan) {
            DeliveryStore.NewEnvelope envelope = planned.submission().envelope();
            deliveries.add(new DeliveryStore.NewDelivery(
                    envelope.messageId(),
                    planned.memberId(),
                    envelope.priority(),
                    planned.target() == null ? null : planned.target().presenceId()));
            // Recipients connected here are pushed to directly; the others may be connected elsewhere.
            if (planned.target() == null
                    && sessions.sessionsOf(planned.memberId()).isEmpty()) {
                elsewhere.add(planned.memberId());
            }
        }
        // One statement outside any transaction: one round trip, one commit for the batch.
        store.insert(
                batch.stream().map(Submission::envelope).toList(),
                deliveries,
                now,
                audit.insertOf(batch.stream().map(EnvelopeWriter::routed).toList()),
                DeliveryWakeUps.payloads(elsewhere));
    }

    private static AuditLog.Event routed(Submission submission) {
        DeliveryStore.NewEnvelope envelope = submission.envelope();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("sender_member_id", envelope.senderMemberId());
        metadata.put("message_id", envelope.messageId());
        metadata.put("target_kind", submission.broadcast() ? "broadcast" : "dm");
        metadata.put("recipient_count", submission.recipientIds().size());
        metadata.put("priority", envelope.priority().wire());
        metadata.put("ciphertext_bytes", envelope.ciphertext().getBytes(StandardCharsets.UTF_8).length);
        return new AuditLog.Event(
                envelope.meshId(),
                "message_routed",
                envelope.senderMemberId(),
                submission.broadcast() ? null : submission.recipientIds().getFirst(),
                metadata);
    }

    /**
     * After the commit: direct pushes in send order; a push the session no longer takes is released
     * and drained like any queued delivery, and so are the member's later ones of this batch, which
     * must not overtake it. Members with queued deliveries and a session here are drained.
     */
    private void deliver(List<Planned> plan, Instant committedAt) {
        Set<String> toDrain = new LinkedHashSet<>();
        Map<DeliveryTarget, List<String>> refused = new LinkedHashMap<>();
        for (Planned planned : plan) {
            DeliveryTarget target = planned.target();
            if (target == null) {
                toDrain.add(planned.memberId());
            } else if (refused.containsKey(target) || !target.push(push(planned, committedAt))) {
                refused.computeIfAbsent(target, t -> new ArrayList<>())
                        .add(planned.submission().envelope().messageId());
            }
        }
        refused.forEach((target, messageIds) -> {
            try {
                store.release(target.presenceId(), messageIds, target.memberId());
            } catch (DataAccessException e) {
                // The claims lapse with the closing session's presence; the periodic drain finds them.
                log.debug("Releasing refused pushes failed: {}", e.getClass().getSimpleName());
            }
            toDrain.add(target.memberId());
        });
        toDrain.forEach(dispatcher::request);
    }

    private static Push push(Planned planned, Instant committedAt) {
        DeliveryStore.NewEnvelope envelope = planned.submission().envelope();
        return new Push(
                planned.memberId(),
                envelope.messageId(),
                envelope.meshId(),
                planned.submission().senderPubkey(),
                envelope.priority(),
                envelope.nonce(),
                envelope.ciphertext(),
                envelope.createdAt(),
                committedAt,
                true);
    }

    @Override
    public void destroy() {
        queue.stop(Duration.ofSeconds(5));
    }
}
