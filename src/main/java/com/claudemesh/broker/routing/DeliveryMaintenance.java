package com.claudemesh.broker.routing;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.ops.BrokerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The scheduled upkeep of the queue (PROTOCOL A.6): deliveries of envelopes older than {@code
 * MESSAGE_TTL_SECONDS} expire, delivered and expired envelopes are purged {@code
 * MESSAGE_RETENTION_SECONDS} later — envelopes among them whose deliveries are all done but that
 * {@link EnvelopeCompletion} did not complete (their confirming process died) are completed first —
 * and the queue gauges (depth, age of the oldest undelivered envelope) follow the pending deliveries.
 */
@Component
class DeliveryMaintenance {

    private static final Logger log = LoggerFactory.getLogger(DeliveryMaintenance.class);

    private final DeliveryStore store;
    private final QueueUpkeep upkeep;
    private final BrokerMetrics metrics;
    private final BrokerProperties properties;
    private final Clock clock;

    DeliveryMaintenance(
            DeliveryStore store, QueueUpkeep upkeep, BrokerMetrics metrics, BrokerProperties properties, Clock clock) {
        this.store = store;
        this.upkeep = upkeep;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(fixedDelay = 60, initialDelay = 10, timeUnit = TimeUnit.SECONDS)
    void expireAndPurge() {
        try {
            Instant now = clock.instant();
            Instant cutoff = now.minus(properties.messageRetention());
            int expired = upkeep.expire(now);
            // Before the purge, over the envelopes it considers: the retention counts from the
            // time of the last delivery, which the completion records.
            int completed = store.completeCreatedBefore(cutoff);
            int purged = upkeep.purge(cutoff);
            if (expired > 0 || completed > 0 || purged > 0) {
                log.atInfo()
                        .setMessage("Queue upkeep")
                        .addKeyValue("expired_deliveries", expired)
                        .addKeyValue("completed_envelopes", completed)
                        .addKeyValue("purged_envelopes", purged)
                        .log();
            }
        } catch (DataAccessException e) {
            log.warn("Queue upkeep failed, retrying next run: {}", e.getClass().getSimpleName());
        }
    }

    @Scheduled(fixedDelay = 10, initialDelay = 1, timeUnit = TimeUnit.SECONDS)
    void refreshQueueDepth() {
        try {
            metrics.queueDepth(upkeep.pendingCount());
            Instant now = clock.instant();
            metrics.queueOldestAge(upkeep.oldestPendingCreatedAt()
                    .map(created -> Duration.between(created, now))
                    .orElse(Duration.ZERO));
        } catch (DataAccessException e) {
            log.debug("Queue depth not refreshed: {}", e.getClass().getSimpleName());
        }
    }
}
