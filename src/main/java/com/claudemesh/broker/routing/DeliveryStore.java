package com.claudemesh.broker.routing;

import static com.claudemesh.broker.db.SqlPart.statement;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import com.claudemesh.broker.db.SqlPart;
import com.claudemesh.broker.protocol.Priority;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The SQL of envelopes ({@code mesh.message_queue}) and their per-recipient deliveries ({@code
 * mesh.delivery}), PROTOCOL A.6: stored together with the send, confirmed once pushed, retired when
 * undeliverable, and the envelope completed once every delivery is done. A delivery is pending
 * until {@code delivered_at} is set; the claims of pending deliveries are {@link DeliveryClaims}'.
 */
@Repository
class DeliveryStore {

    /** Completion of envelopes; {@code %s} narrows it to some envelopes ({@link #complete}) or not. */
    private static final String COMPLETE = """
            UPDATE mesh.message_queue q SET delivered_at = done.last
            FROM (SELECT d.message_id, max(d.delivered_at) AS last
                  FROM mesh.delivery d JOIN mesh.message_queue u ON u.id = d.message_id
                  WHERE u.delivered_at IS NULL %s
                  GROUP BY d.message_id
                  HAVING count(*) FILTER (WHERE d.delivered_at IS NULL AND d.expired_at IS NULL) = 0
                     AND max(d.delivered_at) IS NOT NULL) done
            WHERE q.id = done.message_id AND q.delivered_at IS NULL
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
            Priority priority,
            String nonce,
            String ciphertext,
            Instant createdAt,
            Instant expiresAt) {}

    /** One recipient's delivery of a new envelope; {@code claimedBy} is the session it is pushed to straight away, or null. */
    record NewDelivery(String messageId, String memberId, Priority priority, String claimedBy) {}

    /**
     * Stores envelopes, their deliveries and {@code alongside} (the audit events of the sends) in
     * ONE statement — data-modifying {@code WITH} queries — and notifies {@code wakeUps} on {@link
     * DeliveryWakeUps#CHANNEL}. Outside a transaction that is one round trip and one commit for the
     * whole batch, whatever its size. Deliveries get their {@code seq} in list order, so a member's
     * deliveries keep the order of {@code deliveries}. An envelope without deliveries (a broadcast
     * in a mesh of one) is delivered at once.
     */
    void insert(
            List<NewEnvelope> envelopes,
            List<NewDelivery> deliveries,
            Instant now,
            SqlPart alongside,
            List<String> wakeUps) {
        Set<String> withRecipients = new HashSet<>();
        deliveries.forEach(d -> withRecipients.add(d.messageId()));
        int n = envelopes.size();
        String[][] envelopeColumns = new String[10][n];
        for (int i = 0; i < n; i++) {
            NewEnvelope e = envelopes.get(i);
            envelopeColumns[0][i] = e.messageId();
            envelopeColumns[1][i] = e.meshId();
            envelopeColumns[2][i] = e.senderMemberId();
            envelopeColumns[3][i] = e.targetSpec();
            envelopeColumns[4][i] = e.priority().wire();
            envelopeColumns[5][i] = e.nonce();
            envelopeColumns[6][i] = e.ciphertext();
            envelopeColumns[7][i] = timestamp(e.createdAt());
            envelopeColumns[8][i] = withRecipients.contains(e.messageId()) ? null : timestamp(e.createdAt());
            envelopeColumns[9][i] = timestamp(e.expiresAt());
        }
        int m = deliveries.size();
        String[][] deliveryColumns = new String[5][m];
        String claimedAt = timestamp(now);
        for (int i = 0; i < m; i++) {
            NewDelivery d = deliveries.get(i);
            deliveryColumns[0][i] = d.messageId();
            deliveryColumns[1][i] = d.memberId();
            deliveryColumns[2][i] = d.priority().wire();
            deliveryColumns[3][i] = d.claimedBy();
            deliveryColumns[4][i] = d.claimedBy() == null ? null : claimedAt;
        }
        List<Object> arguments = new ArrayList<>();
        arguments.addAll(List.of(envelopeColumns));
        arguments.addAll(List.of(deliveryColumns));
        arguments.addAll(alongside.arguments());
        arguments.add(DeliveryWakeUps.CHANNEL);
        arguments.add(wakeUps.toArray(String[]::new));
        // The deliveries reference the envelopes inserted by the same statement; the foreign key
        // is checked at its end, when both are there.
        jdbc.query(statement("""
                        WITH envelope AS (
                            INSERT INTO mesh.message_queue (id, mesh_id, sender_member_id, target_spec, priority,
                                                            nonce, ciphertext, created_at, delivered_at, expires_at)
                            SELECT id, mesh_id, sender, target, priority::mesh.message_priority,
                                   nonce, ciphertext, created::timestamp, delivered::timestamp, expires::timestamp
                            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                        ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                                 AS e(id, mesh_id, sender, target, priority, nonce, ciphertext, created, delivered, expires)),
                        delivery AS (
                            INSERT INTO mesh.delivery (message_id, member_id, priority, claimed_by, claimed_at)
                            SELECT message_id, member_id, priority::mesh.message_priority, claimed_by,
                                   claimed_at::timestamp
                            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
                                 AS d(message_id, member_id, priority, claimed_by, claimed_at, n)
                            ORDER BY d.n),
                        alongside AS (
                        """ + alongside.sql() + """
                        )
                        SELECT pg_notify(?, payload)::text FROM unnest(?::text[]) AS payload
                        """, arguments.toArray()), (rs, row) -> null);
    }

    /** Timestamps travel as text inside arrays; the column keeps microseconds (UtcTimestamps). */
    private static String timestamp(Instant instant) {
        return instant == null ? null : toDb(instant).toString();
    }

    /**
     * Marks deliveries delivered: the {@code i}-th of {@code memberIds} confirmed the {@code i}-th of
     * {@code messageIds}. One UPDATE of the members' own delivery rows by primary key. The envelope
     * rows are not touched here — recipients of one broadcast would otherwise take turns on its row
     * — {@link #complete} marks them later.
     */
    void confirm(List<String> memberIds, List<String> messageIds, Instant now) {
        jdbc.update(statement("""
                UPDATE mesh.delivery d SET delivered_at = ?
                FROM unnest(?::text[], ?::text[]) AS c(member_id, message_id)
                WHERE d.message_id = c.message_id AND d.member_id = c.member_id AND d.delivered_at IS NULL
                """, toDb(now), memberIds.toArray(String[]::new), messageIds.toArray(String[]::new)));
    }

    /**
     * Sets {@code message_queue.delivered_at} (to its last delivery's time) on these undelivered
     * envelopes whose every delivery is done, at least one of them delivered — an envelope only
     * expired was never delivered. The deliveries are read through {@code delivery_pkey} (by
     * message id, aggregated): no predicate of the partial pending index appears, so no plan walks
     * every pending delivery. Each envelope row is locked once, by this statement only.
     */
    int complete(Collection<String> messageIds) {
        return jdbc.update(statement(
                COMPLETE.formatted("AND u.id = ANY (?::text[])"), (Object) messageIds.toArray(String[]::new)));
    }

    /**
     * {@link #complete} for the undelivered envelopes created before {@code cutoff}: the safety net
     * for confirmations noted by a process that died before its completion job ran. It reads the
     * range the purge reads ({@code message_queue_purge_idx}), so such an envelope is completed by
     * the time the purge considers it, never purged late — but shows {@code delivered_at} only then.
     */
    int completeCreatedBefore(Instant cutoff) {
        return jdbc.update(statement(COMPLETE.formatted("AND u.created_at < ?"), toDb(cutoff)));
    }

    /**
     * Retires one delivery for good — no session will be handed it again — the way expiry retires
     * one, together with {@code alongside} (its audit event) in one statement.
     */
    void drop(String memberId, String messageId, Instant now, SqlPart alongside) {
        List<Object> arguments = new ArrayList<>(List.of(toDb(now), memberId, messageId));
        arguments.addAll(alongside.arguments());
        jdbc.query(statement("""
                        WITH dropped AS (
                            UPDATE mesh.delivery SET expired_at = ?, claimed_by = NULL, claimed_at = NULL
                            WHERE member_id = ? AND message_id = ? AND delivered_at IS NULL AND expired_at IS NULL
                            RETURNING 1),
                        alongside AS (
                        """ + alongside.sql() + """
                        )
                        SELECT count(*) FROM dropped
                        """, arguments.toArray()), (rs, row) -> null);
    }
}
