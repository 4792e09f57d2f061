package com.claudemesh.broker.routing;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCreator;
import org.springframework.stereotype.Repository;

/**
 * The SQL of envelopes ({@code mesh.message_queue}) and their per-recipient deliveries ({@code
 * mesh.delivery}), PROTOCOL A.6. A delivery is pending until {@code delivered_at} is set; a session
 * claims it ({@code claimed_by} = its presence id) before pushing, with {@code FOR UPDATE SKIP
 * LOCKED} so that no two sessions — of this process or another broker process on the same database
 * — ever hold the same delivery. A claim counts only while its presence is live and was heard from
 * within {@link #CLAIM_LEASE}: claims of a crashed broker's sessions lapse by themselves.
 */
@Repository
class DeliveryStore {

    /** Well above the 30 s ping plus the 75 s silence limit, so a healthy session never loses its claims. */
    static final Duration CLAIM_LEASE = Duration.ofSeconds(120);

    private static final String CLAIMABLE = " " + """
            d.delivered_at IS NULL AND d.expired_at IS NULL
              AND (d.claimed_by IS NULL OR NOT EXISTS (
                    SELECT 1 FROM mesh.presence p
                    WHERE p.id = d.claimed_by AND p.disconnected_at IS NULL AND p.last_ping_at > ?))
            """;

    private final JdbcTemplate jdbc;

    DeliveryStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    record NewEnvelope(
            String messageId,
            String meshId,
            String senderMemberId,
            String targetSpec,
            String priority,
            String nonce,
            String ciphertext,
            Instant createdAt,
            Instant expiresAt) {}

    /** Stores the envelope and one delivery per recipient, in one statement (the caller's transaction). */
    void insert(NewEnvelope envelope, List<String> recipientMemberIds) {
        String[] recipients = recipientMemberIds.toArray(String[]::new);
        LocalDateTime deliveredAt = recipients.length == 0 ? toDb(envelope.createdAt()) : null;
        jdbc.update(statement(
                """
                WITH envelope AS (
                    INSERT INTO mesh.message_queue (id, mesh_id, sender_member_id, target_spec, priority,
                                                    nonce, ciphertext, created_at, delivered_at, expires_at)
                    VALUES (?, ?, ?, ?, ?::mesh.message_priority, ?, ?, ?, ?, ?)
                    RETURNING id, priority)
                INSERT INTO mesh.delivery (message_id, member_id, priority)
                SELECT envelope.id, recipient.member_id, envelope.priority
                FROM envelope, unnest(?::text[]) WITH ORDINALITY AS recipient(member_id, n)
                ORDER BY recipient.n
                """,
                envelope.messageId(),
                envelope.meshId(),
                envelope.senderMemberId(),
                envelope.targetSpec(),
                envelope.priority(),
                envelope.nonce(),
                envelope.ciphertext(),
                toDb(envelope.createdAt()),
                deliveredAt,
                toDb(envelope.expiresAt()),
                recipients));
    }

    /**
     * Claims up to {@code limit} of the member's claimable deliveries whose priority is in {@code
     * priorities}, oldest first, for the session {@code presenceId}; returns them in send order.
     */
    List<Push> claim(String memberId, String presenceId, List<String> priorities, int limit, Instant now) {
        List<Push> claimed = jdbc.query(
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
                        priorities.toArray(String[]::new),
                        toDb(now),
                        toDb(now.minus(CLAIM_LEASE)),
                        limit,
                        presenceId,
                        toDb(now)),
                (rs, row) -> new Push(
                        rs.getLong("seq"),
                        rs.getString("member_id"),
                        rs.getString("id"),
                        rs.getString("mesh_id"),
                        rs.getString("peer_pubkey").toLowerCase(Locale.ROOT),
                        rs.getString("priority"),
                        rs.getString("nonce"),
                        rs.getString("ciphertext"),
                        fromDb(rs.getObject("created_at", LocalDateTime.class))));
        List<Push> ordered = new ArrayList<>(claimed);
        ordered.sort(Comparator.comparingLong(Push::seq));
        return ordered;
    }

    /**
     * Marks the member's deliveries of these envelopes delivered, and each envelope whose every
     * delivery is now done. The envelope rows are locked first (in id order, so confirmations never
     * deadlock) because two recipients of one broadcast confirming at once would otherwise each see
     * the other's delivery still pending and neither would complete the envelope.
     */
    void confirm(String memberId, Collection<String> messageIds, Instant now) {
        String[] ids = messageIds.toArray(String[]::new);
        jdbc.query(
                statement(
                        "SELECT id FROM mesh.message_queue WHERE id = ANY (?::text[]) ORDER BY id FOR UPDATE",
                        (Object) ids),
                rs -> {});
        jdbc.update(statement("""
                UPDATE mesh.delivery SET delivered_at = ?
                WHERE member_id = ? AND message_id = ANY (?::text[]) AND delivered_at IS NULL
                """, toDb(now), memberId, ids));
        jdbc.update(statement("""
                UPDATE mesh.message_queue q SET delivered_at = ?
                WHERE q.id = ANY (?::text[]) AND q.delivered_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM mesh.delivery d
                                  WHERE d.message_id = q.id AND d.delivered_at IS NULL AND d.expired_at IS NULL)
                """, toDb(now), ids));
    }

    /** Gives back every unconfirmed claim of a session, so the member's next session gets them. */
    int releaseAll(String presenceId) {
        return jdbc.update(
                "UPDATE mesh.delivery SET claimed_by = NULL, claimed_at = NULL"
                        + " WHERE claimed_by = ? AND delivered_at IS NULL",
                presenceId);
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
                (rs, row) -> new MemberPriority(rs.getString("member_id"), rs.getString("priority")));
    }

    record MemberPriority(String memberId, String priority) {}

    /** Retires the pending deliveries of envelopes past their {@code expires_at}. */
    int expire(Instant now) {
        return jdbc.update("""
                UPDATE mesh.delivery d SET expired_at = ?
                FROM mesh.message_queue q
                WHERE q.id = d.message_id AND d.delivered_at IS NULL AND d.expired_at IS NULL
                  AND q.expires_at <= ?
                """, toDb(now), toDb(now));
    }

    /** Deletes envelopes (and their deliveries) delivered or expired before {@code cutoff}. */
    int purge(Instant cutoff) {
        return jdbc.update("""
                DELETE FROM mesh.message_queue
                WHERE (delivered_at IS NOT NULL AND delivered_at < ?)
                   OR (delivered_at IS NULL AND expires_at < ?)
                """, toDb(cutoff), toDb(cutoff));
    }

    long pendingCount() {
        Long count = jdbc.queryForObject(
                "SELECT count(*) FROM mesh.delivery WHERE delivered_at IS NULL AND expired_at IS NULL", Long.class);
        return count == null ? 0 : count;
    }

    /** A statement whose {@code String[]} arguments are bound as SQL text arrays. */
    private static PreparedStatementCreator statement(String sql, Object... args) {
        return (Connection connection) -> {
            PreparedStatement ps = connection.prepareStatement(sql);
            bind(connection, ps, args);
            return ps;
        };
    }

    private static void bind(Connection connection, PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg instanceof String[] array) {
                ps.setArray(i + 1, connection.createArrayOf("text", array));
            } else {
                ps.setObject(i + 1, arg);
            }
        }
    }
}
