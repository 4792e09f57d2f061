package com.claudemesh.broker.routing;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The SQL of the queue's scheduled upkeep ({@link DeliveryMaintenance}): expiry, purge and the two
 * gauges. Nothing on a message's path runs it; the path's SQL is {@link DeliveryStore}'s.
 */
@Repository
class QueueUpkeep {

    private final JdbcTemplate jdbc;

    QueueUpkeep(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Retires the pending deliveries of envelopes past their {@code expires_at}. */
    int expire(Instant now) {
        return jdbc.update("""
                UPDATE mesh.delivery d SET expired_at = ?
                FROM mesh.message_queue q
                WHERE q.id = d.message_id AND d.delivered_at IS NULL AND d.expired_at IS NULL
                  AND q.expires_at <= ?
                """, toDb(now), toDb(now));
    }

    /**
     * Deletes envelopes (and their deliveries) delivered or expired before {@code cutoff}. They are
     * read through {@code message_queue_purge_idx}: an envelope is delivered and expires after it was
     * created, so the bound on {@code created_at} changes nothing but the access path — no index
     * names {@code delivered_at}, which keeps the completion a HOT update (V34).
     */
    int purge(Instant cutoff) {
        return jdbc.update("""
                DELETE FROM mesh.message_queue
                WHERE created_at < ?
                  AND ((delivered_at IS NOT NULL AND delivered_at < ?)
                       OR (delivered_at IS NULL AND expires_at < ?))
                """, toDb(cutoff), toDb(cutoff), toDb(cutoff));
    }

    /**
     * When the envelope of the oldest pending delivery (lowest {@code seq}) was created; empty when
     * nothing is pending. It reads the pending deliveries like {@link #pendingCount} and one envelope.
     */
    Optional<Instant> oldestPendingCreatedAt() {
        return jdbc.query("""
                        SELECT q.created_at FROM mesh.delivery d JOIN mesh.message_queue q ON q.id = d.message_id
                        WHERE d.delivered_at IS NULL AND d.expired_at IS NULL
                        ORDER BY d.seq LIMIT 1
                        """, (rs, row) -> fromDb(rs.getObject(1, LocalDateTime.class))).stream()
                .findFirst();
    }

    long pendingCount() {
        Long count = jdbc.queryForObject(
                "SELECT count(*) FROM mesh.delivery WHERE delivered_at IS NULL AND expired_at IS NULL", Long.class);
        return count == null ? 0 : count;
    }
}
