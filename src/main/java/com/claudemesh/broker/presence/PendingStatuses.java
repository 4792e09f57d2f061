package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code mesh.pending_status}: hook calls that arrived before their session's hello (PROTOCOL A.9).
 * An entry is worth applying only for {@link #MAX_AGE}; after that it is swept.
 */
@Repository
class PendingStatuses {

    static final Duration MAX_AGE = Duration.ofSeconds(10);

    /** A hook status waiting for its session. */
    record Pending(String id, Status status, Instant createdAt) {}

    private final JdbcClient jdbc;

    PendingStatuses(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Integer pid, String cwd, Status status, Instant now) {
        jdbc.sql("""
                        INSERT INTO mesh.pending_status (id, pid, cwd, status, status_source, created_at)
                        VALUES (?, ?, ?, ?::mesh.presence_status, 'hook', ?)
                        """)
                .params(UUID.randomUUID().toString(), pid, cwd, status.wire(), toDb(now))
                .update();
    }

    /** The newest unapplied hook entry for (pid, cwd) younger than {@link #MAX_AGE}, marked applied. */
    Optional<Pending> takeNewest(int pid, String cwd, Instant now) {
        Optional<Pending> newest = jdbc.sql("""
                        SELECT id, status::text AS status, created_at FROM mesh.pending_status
                         WHERE pid = ? AND cwd = ? AND status_source = 'hook' AND applied_at IS NULL
                           AND created_at > ?
                         ORDER BY created_at DESC, id DESC
                         LIMIT 1
                         FOR UPDATE
                        """)
                .params(pid, cwd, toDb(now.minus(MAX_AGE)))
                .query((rs, row) -> new Pending(
                        rs.getString("id"),
                        Status.fromWire(rs.getString("status")).orElseThrow(),
                        fromDb(rs.getObject("created_at", LocalDateTime.class))))
                .optional();
        newest.ifPresent(pending -> jdbc.sql("UPDATE mesh.pending_status SET applied_at = ? WHERE id = ?")
                .params(toDb(now), pending.id())
                .update());
        return newest;
    }

    /** Deletes applied entries and entries too old to be applied. */
    int purge(Instant now) {
        return jdbc.sql("DELETE FROM mesh.pending_status WHERE applied_at IS NOT NULL OR created_at <= ?")
                .param(toDb(now.minus(MAX_AGE)))
                .update();
    }
}
