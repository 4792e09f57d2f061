package com.claudemesh.broker.audit;

import com.claudemesh.broker.db.SqlPart;
import com.claudemesh.broker.db.TimeOrderedIds;
import com.claudemesh.broker.db.UtcTimestamps;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one way to write {@code mesh.audit_log}. It joins the caller's transaction, so an event is
 * stored exactly when the change it describes is. Metadata only: keys that would carry secrets or
 * message contents are refused outright.
 */
@Service
public class AuditLog {

    /** Metadata keys that must never reach the audit log (PROTOCOL Part D). */
    static final Set<String> FORBIDDEN_KEYS = Set.of(
            "ciphertext",
            "nonce",
            "secret_key",
            "secretKey",
            "owner_secret_key",
            "root_key",
            "rootKey",
            "mesh_root_key",
            "token",
            "invite_token",
            "signature",
            "pubkey",
            "peer_pubkey",
            "publicKey");

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final Clock clock;

    AuditLog(JdbcTemplate jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** One audit event: {@code actorPeerId}/{@code targetPeerId} are member ids (or null). */
    public record Event(
            String meshId, String eventType, String actorPeerId, String targetPeerId, Map<String, ?> metadata) {}

    /**
     * Records {@code eventType} for {@code meshId}. {@code actorPeerId}/{@code targetPeerId} are
     * member ids (or null); {@code metadata} holds plain facts (ids, counts, codes, key prefixes).
     */
    public void record(
            String meshId, String eventType, String actorPeerId, String targetPeerId, Map<String, ?> metadata) {
        recordAll(List.of(new Event(meshId, eventType, actorPeerId, targetPeerId, metadata)));
    }

    /** Records several events with one statement (the caller's transaction, if any). */
    public void recordAll(List<Event> events) {
        jdbc.update(insertOf(events.stream().map(this::row).toList()).statement());
    }

    /**
     * An event made ready to insert — its id drawn, its metadata checked and written as JSON — on
     * the caller's thread, so that a group commit's one thread only assembles rows ({@link
     * #insertOf}). Forbidden metadata keys are refused here.
     */
    public Row row(Event event) {
        for (String key : event.metadata().keySet()) {
            if (FORBIDDEN_KEYS.contains(key)) {
                throw new IllegalArgumentException("audit metadata must not carry '" + key + "'");
            }
        }
        return new Row(
                TimeOrderedIds.next(clock.instant()),
                event.meshId(),
                event.eventType(),
                event.actorPeerId(),
                event.targetPeerId(),
                json.writeValueAsString(event.metadata()));
    }

    /** An event as {@link #row} made it ready. */
    public record Row(
            String id, String meshId, String eventType, String actorPeerId, String targetPeerId, String metadata) {}

    /**
     * The INSERT of these events, for a caller that stores them in the same statement as the change
     * they describe (the group commit of sends).
     */
    public SqlPart insertOf(List<Row> rows) {
        int n = rows.size();
        String[][] columns = new String[6][n];
        for (int i = 0; i < n; i++) {
            Row row = rows.get(i);
            columns[0][i] = row.id();
            columns[1][i] = row.meshId();
            columns[2][i] = row.eventType();
            columns[3][i] = row.actorPeerId();
            columns[4][i] = row.targetPeerId();
            columns[5][i] = row.metadata();
        }
        List<Object> arguments = new ArrayList<>();
        arguments.add(UtcTimestamps.toDb(clock.instant()));
        arguments.addAll(List.of(columns));
        return new SqlPart("""
                INSERT INTO mesh.audit_log (id, mesh_id, event_type, actor_peer_id, target_peer_id, metadata, created_at)
                SELECT e.id, e.mesh_id, e.event_type, e.actor, e.target, e.metadata::jsonb, ?::timestamp
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS e(id, mesh_id, event_type, actor, target, metadata)
                """, arguments);
    }
}
