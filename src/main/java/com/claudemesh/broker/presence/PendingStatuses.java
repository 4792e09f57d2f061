package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
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

    /** The (pid, cwd) of a session saying hello: the key a hook's pending status waits under. */
    record Key(int pid, String cwd) {}

    /**
     * For each key, the newest unapplied hook entry younger than {@link #MAX_AGE}, marked applied;
     * keys without one are absent. One statement for the whole batch of hellos, and the update only
     * when an entry was found (rarely: a hook fired just before its session connected).
     */
    Map<Key, Pending> takeNewest(Collection<Key> keys, Instant now) {
        Map<Key, Pending> newest = new HashMap<>();
        // Every young entry of these keys is locked, newest first; the first one per key is taken.
        jdbc.sql("""
                        SELECT p.id, p.pid, p.cwd, p.status::text AS status, p.created_at
                          FROM mesh.pending_status p
                          JOIN unnest(?::int[], ?::text[]) AS k(pid, cwd) ON p.pid = k.pid AND p.cwd = k.cwd
                         WHERE p.status_source = 'hook' AND p.applied_at IS NULL AND p.created_at > ?
                         ORDER BY p.created_at DESC, p.id DESC
                         FOR UPDATE OF p
                        """)
                .params(
                        keys.stream().map(Key::pid).toArray(Integer[]::new),
                        keys.stream().map(Key::cwd).toArray(String[]::new),
                        toDb(now.minus(MAX_AGE)))
                .query(rs -> {
                    newest.putIfAbsent(
                            new Key(rs.getInt("pid"), rs.getString("cwd")),
                            new Pending(
                                    rs.getString("id"),
                                    Status.fromWire(rs.getString("status")).orElseThrow(),
                                    fromDb(rs.getObject("created_at", LocalDateTime.class))));
                });
        if (!newest.isEmpty()) {
            jdbc.sql("UPDATE mesh.pending_status SET applied_at = ? WHERE id = ANY (?)")
                    .params(toDb(now), newest.values().stream().map(Pending::id).toArray(String[]::new))
                    .update();
        }
        return newest;
    }

    /** Deletes applied entries and entries too old to be applied. */
    int purge(Instant now) {
        return jdbc.sql("DELETE FROM mesh.pending_status WHERE applied_at IS NOT NULL OR created_at <= ?")
                .param(toDb(now.minus(MAX_AGE)))
                .update();
    }
}
