package com.claudemesh.broker.presence;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.db.LoggableFailure;
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

/** The timed parts of A.8/A.9: the working-status TTL sweep and the pending-status cleanup. */
@Component
class StatusSweeps {

    private static final Logger log = LoggerFactory.getLogger(StatusSweeps.class);

    private final BrokerInstance self;
    private final PresenceRows rows;
    private final PendingStatuses pending;
    private final StatusWriter writer;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final Duration statusTtl;

    StatusSweeps(
            BrokerInstance self,
            PresenceRows rows,
            PendingStatuses pending,
            StatusWriter writer,
            BrokerMetrics metrics,
            Clock clock,
            BrokerProperties properties) {
        this.self = self;
        this.rows = rows;
        this.pending = pending;
        this.writer = writer;
        this.metrics = metrics;
        this.clock = clock;
        this.statusTtl = properties.statusTtl();
    }

    /**
     * A.8: a live {@code working} status older than STATUS_TTL_SECONDS becomes {@code idle} from
     * {@code jsonl}. This instance sweeps its own presences. Each row is checked again under its lock, since a hook may have refreshed it.
     * Returns how many presences became idle.
     */
    int sweepExpiredWorking() {
        Instant cutoff = clock.instant().minus(statusTtl);
        int swept = 0;
        for (String id : rows.staleWorking(self.id(), cutoff)) {
            boolean changed = writer.write(
                            id,
                            Status.IDLE,
                            StatusSource.JSONL,
                            locked -> locked.state().status() == Status.WORKING
                                    && locked.state().updatedAt().isBefore(cutoff))
                    .isPresent();
            swept += changed ? 1 : 0;
        }
        metrics.ttlSweepRan();
        return swept;
    }

    /** A.9: applied entries and entries older than 10 s go. */
    int purgePending() {
        return pending.purge(clock.instant());
    }

    @Scheduled(fixedRate = 15, timeUnit = TimeUnit.SECONDS)
    void scheduledTtlSweep() {
        try {
            sweepExpiredWorking();
        } catch (DataAccessException e) {
            log.warn("Status TTL sweep failed: {}", LoggableFailure.describe(e));
        }
    }

    @Scheduled(fixedDelay = 10, timeUnit = TimeUnit.SECONDS)
    void scheduledPendingPurge() {
        try {
            purgePending();
        } catch (DataAccessException e) {
            log.warn("Pending status cleanup failed: {}", LoggableFailure.describe(e));
        }
    }
}
