package com.claudemesh.broker.routing;

import com.claudemesh.broker.db.GroupCommit;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Writes confirmed deliveries (PROTOCOL A.6) with group commit: the pongs of every session that
 * arrive while one UPDATE runs are written by the next, one statement and one commit for all of
 * them. Each caller learns when its own confirmations are written.
 */
@Component
class Confirmations implements DisposableBean {

    /** Deliveries confirmed by one statement at most. */
    private static final int MAX_ROWS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(Confirmations.class);

    private record Confirmation(String memberId, Collection<String> messageIds, CompletableFuture<Void> written) {}

    private final DeliveryStore store;
    private final EnvelopeCompletion completion;
    private final Clock clock;
    private final GroupCommit<Confirmation> queue;

    Confirmations(DeliveryStore store, EnvelopeCompletion completion, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.completion = completion;
        this.clock = clock;
        this.queue = new GroupCommit<>("confirmations", c -> c.messageIds().size(), MAX_ROWS, this::write, registry);
    }

    CompletableFuture<Void> confirm(String memberId, Collection<String> messageIds) {
        Confirmation confirmation = new Confirmation(memberId, List.copyOf(messageIds), new CompletableFuture<>());
        if (!queue.add(confirmation)) {
            confirmation.written().completeExceptionally(new IllegalStateException("the broker is shutting down"));
        }
        return confirmation.written();
    }

    private void write(List<Confirmation> batch) {
        List<String> members = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (Confirmation confirmation : batch) {
            for (String messageId : confirmation.messageIds()) {
                members.add(confirmation.memberId());
                messages.add(messageId);
            }
        }
        try {
            store.confirm(members, messages, clock.instant());
        } catch (DataAccessException e) {
            // The claims stay with their sessions; a session that ends releases them and they are pushed again.
            log.warn("Confirming pushes failed: {}", e.getClass().getSimpleName());
            batch.forEach(c -> c.written().completeExceptionally(e));
            return;
        }
        completion.confirmed(messages);
        batch.forEach(c -> c.written().complete(null));
    }

    @Override
    public void destroy() {
        queue.stop(Duration.ofSeconds(5));
    }
}
