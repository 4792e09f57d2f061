package com.claudemesh.broker.routing;

import static com.claudemesh.broker.db.SqlPart.statement;
import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import com.claudemesh.broker.protocol.Priority;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The SQL of claims on pending deliveries ({@code mesh.delivery}, PROTOCOL A.6): a session claims
 * a delivery ({@code claimed_by} = its presence id) before pushing, with {@code FOR UPDATE SKIP
 * LOCKED} so that no two sessions — of this process or another broker process on the same database
 * — ever hold the same delivery. A claim counts only while its presence is live and was heard from
 * within {@link #CLAIM_LEASE}: claims of a crashed broker's sessions lapse by themselves. What the
 * dispatcher asks of the database; storing and confirming deliveries is {@link DeliveryStore}'s.
 */
@Repository
class DeliveryClaims {

    /** Well above the 30 s ping plus the 75 s silence limit, so a healthy session never loses its claims. */
    static final Duration CLAIM_LEASE = Duration.ofSeconds(120);

    private static final String CLAIMABLE = " " + """
            d.delivered_at IS NULL AND d.expired_at IS NULL
              AND (d.claimed_by IS NULL OR NOT EXISTS (
                    SELECT 1 FROM mesh.presence p
                    WHERE p.id = d.claimed_by AND p.disconnected_at IS NULL AND p.last_ping_at > ?))
            """;

    private final JdbcTemplate jdbc;

    DeliveryClaims(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims up to {@code limit} of the member's claimable deliveries whose priority is in {@code
     * priorities}, oldest first, for the session {@code presenceId}; returns them in send order.
     */
    List<Push> claim(String memberId, String presenceId, List<Priority> priorities, int limit, Instant now) {
        List<Claimed> claimed = jdbc.query(
                statement(
                        """
                        WITH next AS (
                            SELECT d.message_id, d.member_id
                            FROM mesh.delivery d JOIN mesh.message_queue q ON q.id = d.message_id
                            WHERE d.member_id = ? AND d.priority::text = ANY (?::text[])
                              AND (q.expires_at IS NULL OR q.expires_at > ?)
                              AND""" + CLAIMABLE + """
                            ORDER BY d.seq
                            LIMIT ?
                            FOR UPDATE OF d SKIP LOCKED)
                        UPDATE mesh.delivery d SET claimed_by = ?, claimed_at = ?
                        FROM next, mesh.message_queue q, mesh.member s
                        WHERE d.message_id = next.message_id AND d.member_id = next.member_id
                          AND q.id = d.message_id AND s.id = q.sender_member_id
                        RETURNING d.seq, d.member_id, q.id, q.mesh_id, s.peer_pubkey, q.priority::text AS priority,
                                  q.nonce, q.ciphertext, q.created_at
                        """,
                        memberId,
                        priorities.stream().map(Priority::wire).toArray(String[]::new),
                        toDb(now),
                        toDb(now.minus(CLAIM_LEASE)),
                        limit,
                        presenceId,
                        toDb(now)),
                (rs, row) -> {
                    Instant createdAt = fromDb(rs.getObject("created_at", LocalDateTime.class));
                    return new Claimed(
                            rs.getLong("seq"),
                            new Push(
                                    rs.getString("member_id"),
                                    rs.getString("id"),
                                    rs.getString("mesh_id"),
                                    rs.getString("peer_pubkey").toLowerCase(Locale.ROOT),
                                    priority(rs.getString("priority")),
                                    rs.getString("nonce"),
                                    rs.getString("ciphertext"),
                                    createdAt,
                                    createdAt,
                                    false));
                });
        // RETURNING has no order of its own.
        return claimed.stream()
                .sorted(Comparator.comparingLong(Claimed::seq))
                .map(Claimed::push)
                .toList();
    }

    private record Claimed(long seq, Push push) {}

    /**
     * Gives back every unconfirmed claim of these sessions (presence id → its member), so the
     * members' next sessions get them. It reads each member's pending deliveries through {@code
     * delivery_pending_idx}; no index names {@code claimed_by} (V35).
     */
    int releaseAll(Map<String, String> memberByPresence) {
        List<String> presenceIds = new ArrayList<>(memberByPresence.keySet());
        return jdbc.update(statement(
                """
                UPDATE mesh.delivery d SET claimed_by = NULL, claimed_at = NULL
                FROM unnest(?::text[], ?::text[]) AS e(presence_id, member_id)
                WHERE d.member_id = e.member_id AND d.claimed_by = e.presence_id
                  AND d.delivered_at IS NULL AND d.expired_at IS NULL
                """,
                presenceIds.toArray(String[]::new),
                presenceIds.stream().map(memberByPresence::get).toArray(String[]::new)));
    }

    /** Gives back claims a session did not take into its buffer. */
    void release(String presenceId, Collection<String> messageIds, String memberId) {
        jdbc.update(statement("""
                UPDATE mesh.delivery SET claimed_by = NULL, claimed_at = NULL
                WHERE member_id = ? AND claimed_by = ? AND message_id = ANY (?::text[]) AND delivered_at IS NULL
                """, memberId, presenceId, messageIds.toArray(String[]::new)));
    }

    /** Members among {@code memberIds} with claimable deliveries, with the priorities waiting for each. */
    List<MemberPriority> claimable(Collection<String> memberIds, Instant now) {
        return jdbc.query(
                statement(
                        "SELECT DISTINCT d.member_id, d.priority::text AS priority FROM mesh.delivery d"
                                + " WHERE d.member_id = ANY (?::text[]) AND" + CLAIMABLE,
                        memberIds.toArray(String[]::new),
                        toDb(now.minus(CLAIM_LEASE))),
                (rs, row) -> new MemberPriority(rs.getString("member_id"), priority(rs.getString("priority"))));
    }

    record MemberPriority(String memberId, Priority priority) {}

    /** The {@code mesh.message_priority} enum has exactly the wire values. */
    private static Priority priority(String stored) {
        return Priority.fromWire(stored).orElseThrow(() -> new IllegalStateException("unknown priority " + stored));
    }

    /**
     * Members among {@code memberIds} with any undelivered, unexpired delivery: a superset of those
     * with claimable ones (it never hides one), answered from the pending-delivery index alone.
     */
    List<String> withPending(Collection<String> memberIds) {
        return jdbc.query(
                statement(
                        "SELECT DISTINCT member_id FROM mesh.delivery"
                                + " WHERE member_id = ANY (?::text[]) AND delivered_at IS NULL AND expired_at IS NULL",
                        (Object) memberIds.toArray(String[]::new)),
                (rs, row) -> rs.getString(1));
    }
}
