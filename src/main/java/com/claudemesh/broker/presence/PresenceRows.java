package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Every query on {@code mesh.presence}. Status changes go through {@link StatusWriter}, never around it. */
@Repository
class PresenceRows {

    /** A live presence row locked for a status write. */
    record Locked(String id, String memberId, StatusRule.State state) {}

    /** A live presence the JSONL inference may write. */
    record Candidate(String id, String cwd, StatusRule.State state) {}

    /** Namespace of the advisory locks this package takes (two-key form), so no other feature collides. */
    private static final int CWD_LOCK_SPACE = 0x50524553;

    private static final String STATE_COLUMNS =
            "status::text AS status, status_source::text AS status_source, status_updated_at";

    private static final RowMapper<Presence> PRESENCE = (rs, row) -> new Presence(
            rs.getString("id"),
            rs.getString("member_id"),
            rs.getString("session_id"),
            rs.getInt("pid"),
            rs.getString("cwd"),
            state(rs).status(),
            state(rs).source(),
            state(rs).updatedAt(),
            instant(rs, "connected_at"));

    private static final RowMapper<Locked> LOCKED =
            (rs, row) -> new Locked(rs.getString("id"), rs.getString("member_id"), state(rs));

    private static final RowMapper<Candidate> CANDIDATE =
            (rs, row) -> new Candidate(rs.getString("id"), rs.getString("cwd"), state(rs));

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    PresenceRows(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /**
     * Serialises hello and hook for one cwd until the transaction ends, so that a hook arriving while
     * its session is saying hello either finds the new presence or leaves a pending entry the hello
     * sees; never neither.
     */
    void lockCwd(String cwd) {
        lockCwds(List.of(cwd));
    }

    /**
     * {@link #lockCwd} for several cwds in one statement. The locks are taken in the order of their
     * keys, so two transactions locking overlapping sets wait for each other instead of deadlocking.
     */
    void lockCwds(Collection<String> cwds) {
        jdbc.sql("""
                        SELECT count(pg_advisory_xact_lock(?, k.h))
                          FROM (SELECT DISTINCT hashtext(c) AS h FROM unnest(?::text[]) AS c ORDER BY 1) AS k
                        """)
                .params(CWD_LOCK_SPACE, cwds.toArray(String[]::new))
                .query(Long.class)
                .single();
    }

    /** One round trip for every new presence of a batch of hellos; {@code hookTokens[i]} is presence i's. */
    void insertAll(List<Presence> presences, List<HookToken> hookTokens, String brokerInstanceId) {
        batch.batchUpdate(
                """
                INSERT INTO mesh.presence (id, member_id, session_id, pid, cwd, status, status_source,
                                           status_updated_at, connected_at, last_ping_at, broker_instance_id,
                                           hook_token_hash)
                VALUES (?, ?, ?, ?, ?, ?::mesh.presence_status, ?::mesh.presence_status_source, ?, ?, ?, ?, ?)
                """,
                IntStream.range(0, presences.size())
                        .mapToObj(i -> {
                            Presence presence = presences.get(i);
                            return new Object[] {
                                presence.id(),
                                presence.memberId(),
                                presence.sessionId(),
                                presence.pid(),
                                presence.cwd(),
                                presence.status().wire(),
                                presence.source().wire(),
                                toDb(presence.statusUpdatedAt()),
                                toDb(presence.connectedAt()),
                                toDb(presence.connectedAt()),
                                brokerInstanceId,
                                hookTokens.get(i).hash()
                            };
                        })
                        .toList());
    }

    /**
     * The stored status of each of these presences that is still live. Read by primary key, live or
     * not, and filtered here: with {@code disconnected_at IS NULL} in the query the planner may pick a
     * partial index of live presences and read all of them for a handful of ids.
     */
    Map<String, Status> liveStatuses(Collection<String> ids) {
        Map<String, Status> statuses = new HashMap<>();
        jdbc.sql("SELECT id, status::text AS status, disconnected_at IS NULL AS live FROM mesh.presence"
                        + " WHERE id = ANY (?)")
                .param(ids.toArray(String[]::new))
                .query(rs -> {
                    if (rs.getBoolean("live")) {
                        statuses.put(
                                rs.getString("id"),
                                Status.fromWire(rs.getString("status")).orElseThrow());
                    }
                });
        return statuses;
    }

    Optional<Presence> findLive(String id) {
        return jdbc.sql("SELECT id, member_id, session_id, pid, cwd, " + STATE_COLUMNS + ", connected_at"
                        + " FROM mesh.presence WHERE id = ? AND disconnected_at IS NULL")
                .param(id)
                .query(PRESENCE)
                .optional();
    }

    Optional<Locked> lockLive(String id) {
        return jdbc.sql("SELECT id, member_id, " + STATE_COLUMNS
                        + " FROM mesh.presence WHERE id = ? AND disconnected_at IS NULL FOR UPDATE")
                .param(id)
                .query(LOCKED)
                .optional();
    }

    /**
     * A.9 resolution: the live presence with this cwd and pid, else the most recently connected live
     * presence with this cwd (uses presence_live_cwd_pid_idx).
     */
    /** The live presence a hook token belongs to, locked. */
    Optional<Locked> lockForHookToken(String presented) {
        return jdbc.sql("SELECT id, member_id, " + STATE_COLUMNS + """
                         FROM mesh.presence
                        WHERE hook_token_hash = ? AND disconnected_at IS NULL
                        FOR UPDATE
                        """)
                .param(HookToken.hash(presented))
                .query(LOCKED)
                .optional();
    }

    Optional<Locked> lockForHook(String cwd, Integer pid) {
        return jdbc.sql("SELECT id, member_id, " + STATE_COLUMNS + """
                         FROM mesh.presence
                        WHERE cwd = ? AND disconnected_at IS NULL
                        ORDER BY (pid IS NOT DISTINCT FROM ?) DESC, connected_at DESC, id
                        LIMIT 1
                        FOR UPDATE
                        """)
                .params(cwd, pid)
                .query(LOCKED)
                .optional();
    }

    void updateStatus(String id, StatusRule.State state) {
        jdbc.sql("""
                        UPDATE mesh.presence
                           SET status = ?::mesh.presence_status, status_source = ?::mesh.presence_status_source,
                               status_updated_at = ?
                         WHERE id = ?
                        """)
                .params(state.status().wire(), state.source().wire(), toDb(state.updatedAt()), id)
                .update();
    }

    /**
     * Live presences of this instance whose {@code working} status is older than {@code cutoff} (A.8
     * TTL sweep). Only this instance's: the owner holds the presence's status in memory and tells its
     * peers about the change; another instance sweeping the row would leave both stale.
     */
    List<String> staleWorking(String brokerInstanceId, Instant cutoff) {
        return jdbc.sql("""
                        SELECT id FROM mesh.presence
                         WHERE broker_instance_id = ? AND disconnected_at IS NULL AND status = 'working'
                           AND status_updated_at < ?
                        """)
                .params(brokerInstanceId, toDb(cutoff))
                .query(String.class)
                .list();
    }

    /**
     * Live presences of this broker instance a transcript may speak for: not dnd (jsonl never leaves
     * it) and not holding a hook or manual status younger than {@code freshSince}. Only this
     * instance's: the transcripts are on the machine of the broker its peers connect to, and two
     * brokers reading different disks must not overwrite each other's verdicts.
     */
    List<Candidate> inferenceCandidates(String brokerInstanceId, Instant freshSince) {
        return jdbc.sql("SELECT id, cwd, " + STATE_COLUMNS + """
                         FROM mesh.presence
                        WHERE broker_instance_id = ? AND disconnected_at IS NULL AND status <> 'dnd'
                          AND NOT (status_source IN ('hook', 'manual') AND status_updated_at >= ?)
                        """)
                .params(brokerInstanceId, toDb(freshSince))
                .query(CANDIDATE)
                .list();
    }

    /** Coalesced pongs: one statement for every presence touched since the last flush. */
    void recordPings(Map<String, Instant> lastPings) {
        batch.batchUpdate(
                "UPDATE mesh.presence SET last_ping_at = ? WHERE id = ? AND disconnected_at IS NULL"
                        + " AND last_ping_at < ?",
                lastPings.entrySet().stream()
                        .map(e -> new Object[] {toDb(e.getValue()), e.getKey(), toDb(e.getValue())})
                        .toList());
    }

    /** Closes presences; {@code lastPings[i]} (or null) is the last unwritten ping of {@code ids[i]}. */
    void close(List<String> ids, List<Instant> lastPings, Instant now) {
        jdbc.sql("""
                        UPDATE mesh.presence p
                           SET disconnected_at = ?,
                               last_ping_at = GREATEST(p.last_ping_at, COALESCE(c.last_ping::timestamp, p.last_ping_at))
                          FROM unnest(?::text[], ?::text[]) AS c(id, last_ping)
                         WHERE p.id = c.id AND p.disconnected_at IS NULL
                        """)
                .params(
                        toDb(now),
                        ids.toArray(String[]::new),
                        lastPings.stream()
                                .map(ping -> ping == null ? null : toDb(ping).toString())
                                .toArray(String[]::new))
                .update();
    }

    int closeAllOf(String brokerInstanceId, Instant now) {
        return jdbc.sql("UPDATE mesh.presence SET disconnected_at = ?"
                        + " WHERE broker_instance_id = ? AND disconnected_at IS NULL")
                .params(toDb(now), brokerInstanceId)
                .update();
    }

    /** Undoes a reap of this instance's presences that are in fact still open here. */
    int reopen(String brokerInstanceId, List<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.sql("UPDATE mesh.presence SET disconnected_at = NULL"
                        + " WHERE broker_instance_id = ? AND id = ANY(?) AND disconnected_at IS NOT NULL")
                .params(brokerInstanceId, ids.toArray(String[]::new))
                .update();
    }

    private static StatusRule.State state(ResultSet rs) throws SQLException {
        return new StatusRule.State(
                Status.fromWire(rs.getString("status")).orElseThrow(),
                StatusSource.fromWire(rs.getString("status_source")),
                instant(rs, "status_updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return fromDb(rs.getObject(column, LocalDateTime.class));
    }
}
