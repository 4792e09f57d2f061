package com.claudemesh.broker.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Sets {@code message_queue.delivered_at} once every delivery of an envelope is done (PROTOCOL A.6),
 * off the confirmation path: confirmations only mark their own delivery rows and note the envelope
 * here; a job completes the noted envelopes every second, in batches, and once more when the
 * broker stops (after {@link Confirmations}, which depends on this bean, has written its last).
 * Envelopes noted by a process that died before its job ran are completed by {@link
 * DeliveryMaintenance} before the purge considers them.
 */
@Component
class EnvelopeCompletion implements DisposableBean {

    private static final int BATCH = 1_000;
    private static final Logger log = LoggerFactory.getLogger(EnvelopeCompletion.class);

    private final DeliveryStore store;
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();

    EnvelopeCompletion(DeliveryStore store) {
        this.store = store;
    }

    /** Called after the confirmation committed, so the next run sees it. */
    void confirmed(Collection<String> messageIds) {
        confirmed.addAll(messageIds);
    }

    @Scheduled(fixedDelay = 1, timeUnit = TimeUnit.SECONDS)
    void completeConfirmed() {
        List<String> batch = new ArrayList<>(BATCH);
        for (String id : confirmed) {
            confirmed.remove(id);
            batch.add(id);
            if (batch.size() == BATCH) {
                complete(batch);
                batch = new ArrayList<>(BATCH);
            }
        }
        if (!batch.isEmpty()) {
            complete(batch);
        }
    }

    @Override
    public void destroy() {
        completeConfirmed();
    }

    private void complete(List<String> batch) {
        try {
            store.complete(batch);
        } catch (DataAccessException e) {
            // Noted again for the next run; the upkeep completes them in any case.
            confirmed.addAll(batch);
            log.debug("Envelope completion deferred: {}", e.getClass().getSimpleName());
        }
    }
}
