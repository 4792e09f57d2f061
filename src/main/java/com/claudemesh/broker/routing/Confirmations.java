package com.claudemesh.broker.routing;

import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.db.Reachability;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Writes confirmed deliveries (PROTOCOL A.6) with group commit: the pongs of every session that
 * arrive while one UPDATE runs are written by the next, one statement and one commit for all of
 * them. Each caller learns when its own confirmations are written. Without a database they are kept
 * and written when it returns ({@link GroupCommit.WhileUnavailable#RETRY}): a push the peer
 * provably read is never pushed again because the database was away when the pong came.
 */
@Component
class Confirmations implements DisposableBean {

    /** Deliveries confirmed by one statement at most. */
    private static final int MAX_ROWS = 10_000;

    private record Confirmation(String memberId, Collection<String> messageIds, CompletableFuture<Void> written) {}

    private final DeliveryStore store;
    private final EnvelopeCompletion completion;
    private final Clock clock;
    private final GroupCommit<Confirmation, List<String>> queue;

    Confirmations(
            DeliveryStore store,
            EnvelopeCompletion completion,
            Clock clock,
            Reachability reachability,
            MeterRegistry registry) {
        this.store = store;
        this.completion = completion;
        this.clock = clock;
        this.queue = new GroupCommit<>(
                "confirmations",
                1,
                c -> c.messageIds().size(),
                MAX_ROWS,
                GroupCommit.WhileUnavailable.RETRY,
                reachability,
                new GroupCommit.Batch<>() {
                    @Override
                    public List<String> commit(List<Confirmation> batch) {
                        return write(batch);
                    }

                    @Override
                    public void committed(List<Confirmation> batch, List<String> messageIds) {
                        completion.confirmed(messageIds);
                        batch.forEach(c -> c.written().complete(null));
                    }

                    @Override
                    public void failed(Confirmation confirmation, RuntimeException cause) {
                        // Not for want of a database (those are retried) but a failure of its own, or
                        // the shutdown: the claims stay with their session; a session that ends
                        // releases them and they are pushed again.
                        confirmation.written().completeExceptionally(cause);
                    }
                },
                registry);
    }

    CompletableFuture<Void> confirm(String memberId, Collection<String> messageIds) {
        Confirmation confirmation = new Confirmation(memberId, List.copyOf(messageIds), new CompletableFuture<>());
        if (!queue.add(confirmation)) {
            confirmation.written().completeExceptionally(new IllegalStateException("the broker is shutting down"));
        }
        return confirmation.written();
    }

    /** One UPDATE for every session's confirmations of the batch; returns the confirmed message ids. */
    private List<String> write(List<Confirmation> batch) {
        List<String> members = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (Confirmation confirmation : batch) {
            for (String messageId : confirmation.messageIds()) {
                members.add(confirmation.memberId());
                messages.add(messageId);
            }
        }
        store.confirm(members, messages, clock.instant());
        return messages;
    }

    @Override
    public void destroy() {
        queue.stop(Duration.ofSeconds(5));
    }
}
