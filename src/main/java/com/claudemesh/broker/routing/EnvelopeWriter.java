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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Stores envelopes with group commit and pushes them (PROTOCOL A.4, A.6). Sends of all sessions
 * queue here; one thread writes whatever is waiting as one statement — envelopes, deliveries, their
 * {@code message_routed} audit events and the wake-ups of other processes — and only after it acks
 * the senders and pushes to recipients. A recipient with a session here that admits the envelope
 * ({@link Dispatcher#way}) is claimed for that session in the insert itself and pushed from memory:
 * straight after the commit when its member is quiet, by the member's drain otherwise. Only the
 * others are queued for a drain, here or in another process, to claim.
 */
@Component
class EnvelopeWriter implements DisposableBean {

    /** Rows of one transaction at most (a broadcast to a large mesh is written alone). */
    private static final int MAX_ROWS = 10_000;

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

    /**
     * A submission waiting for the group commit, with its {@code message_routed} row made on the
     * sender's thread and the push frame its recipients here share.
     */
    private record Queued(Submission submission, AuditLog.Row routed, EncodedOnce frame) {}

    /** One delivery of a batch and its way to the recipient. */
    private record Planned(Queued queued, String memberId, Way way) {

        Submission submission() {
            return queued.submission();
        }
    }

    private final DeliveryStore store;
    private final AuditLog audit;
    private final Dispatcher dispatcher;
    private final LiveSessions sessions;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final GroupCommit<Queued, List<Planned>> queue;

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
                queued -> queued.submission().rows(),
                MAX_ROWS,
                GroupCommit.WhileUnavailable.FAIL,
                reachability,
                new GroupCommit.Batch<>() {
                    @Override
                    public List<Planned> commit(List<Queued> batch) {
                        List<Planned> plan = plan(batch);
                        persist(batch, plan);
                        return plan;
                    }

                    @Override
                    public void committed(List<Queued> batch, List<Planned> plan) {
                        deliver(plan, clock.instant());
                        for (Queued queued : batch) {
                            metrics.messageRouted(queued.submission().envelope().priority());
                            queued.submission().committed().complete(null);
                        }
                    }

                    @Override
                    public void failed(Queued queued, RuntimeException cause) {
                        // Nothing of it is stored: the sender is told and may send it again.
                        queued.submission().committed().completeExceptionally(cause);
                    }
                },
                registry);
    }

    /** Completes once the envelope is committed, or exceptionally when it was not stored. */
    CompletableFuture<Void> submit(Submission submission) {
        if (!queue.add(new Queued(
                submission,
                audit.row(routed(submission)),
                EncodedOnce.forRecipients(submission.recipientIds().size())))) {
            submission.committed().completeExceptionally(new IllegalStateException("the broker is shutting down"));
        }
        return submission.committed();
    }

    /**
     * Chooses, in send order, each delivery's way. A direct push needs room in its session's buffer
     * for everything this batch gives it directly. Once one delivery of a member does not go
     * directly, none of its later ones in the batch does — the member may turn quiet or the room
     * grow meanwhile, and a later one pushed directly would overtake it; they go to the member's
     * drain, which pushes them after it.
     */
    private List<Planned> plan(List<Queued> batch) {
        List<Planned> plan = new ArrayList<>();
        Map<DeliveryTarget, Integer> given = new HashMap<>();
        Set<String> notDirect = new HashSet<>();
        for (Queued queued : batch) {
            Submission submission = queued.submission();
            Priority priority = submission.envelope().priority();
            for (String memberId : submission.recipientIds()) {
                Way way = dispatcher.way(memberId, priority);
                if (way instanceof Way.Direct direct) {
                    DeliveryTarget target = direct.target();
                    if (notDirect.contains(memberId) || given.getOrDefault(target, 0) >= target.room()) {
                        way = new Way.AfterDrain(target);
                    } else {
                        given.merge(target, 1, Integer::sum);
                    }
                }
                if (!(way instanceof Way.Direct)) {
                    notDirect.add(memberId);
                }
                plan.add(new Planned(queued, memberId, way));
            }
        }
        return plan;
    }

    private void persist(List<Queued> batch, List<Planned> plan) {
        Instant now = clock.instant();
        List<DeliveryStore.NewDelivery> deliveries = new ArrayList<>(plan.size());
        Set<String> elsewhere = new LinkedHashSet<>();
        for (Planned planned : plan) {
            DeliveryStore.NewEnvelope envelope = planned.submission().envelope();
            DeliveryTarget target = planned.way().target();
            deliveries.add(new DeliveryStore.NewDelivery(
                    envelope.messageId(),
                    planned.memberId(),
                    envelope.priority(),
                    target == null ? null : target.presenceId()));
            // Recipients with a session here are claimed for it; the others may be connected elsewhere.
            if (target == null && sessions.sessionsOf(planned.memberId()).isEmpty()) {
                elsewhere.add(planned.memberId());
            }
        }
        // One statement outside any transaction: one round trip, one commit for the batch.
        store.insert(
                batch.stream().map(queued -> queued.submission().envelope()).toList(),
                deliveries,
                now,
                audit.insertOf(batch.stream().map(Queued::routed).toList()),
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
     * After the commit, in send order: direct pushes — one the session no longer takes is given back
     * and drained like any queued delivery, and so are the member's later direct ones of this batch,
     * which must not overtake it — then the hand-overs to the members' drains. Members with queued
     * deliveries and a session here are drained.
     */
    private void deliver(List<Planned> plan, Instant committedAt) {
        Set<String> toDrain = new LinkedHashSet<>();
        Map<DeliveryTarget, List<String>> refused = new LinkedHashMap<>();
        Map<String, List<Dispatcher.HandedOver>> handOvers = new LinkedHashMap<>();
        for (Planned planned : plan) {
            switch (planned.way()) {
                case Way.Queued queued -> toDrain.add(planned.memberId());
                case Way.AfterDrain afterDrain ->
                    handOvers
                            .computeIfAbsent(planned.memberId(), m -> new ArrayList<>())
                            .add(new Dispatcher.HandedOver(afterDrain.target(), push(planned, committedAt)));
                case Way.Direct direct -> {
                    DeliveryTarget target = direct.target();
                    if (refused.containsKey(target) || !target.push(push(planned, committedAt))) {
                        refused.computeIfAbsent(target, t -> new ArrayList<>())
                                .add(planned.submission().envelope().messageId());
                    }
                }
            }
        }
        refused.forEach((target, messageIds) -> {
            dispatcher.giveBack(target, messageIds);
            toDrain.add(target.memberId());
        });
        handOvers.forEach(dispatcher::handOver);
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
                true,
                planned.queued().frame());
    }

    @Override
    public void destroy() {
        queue.stop(Duration.ofSeconds(5));
    }
}
