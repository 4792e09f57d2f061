package com.claudemesh.broker.audit;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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

    /**
     * Records {@code eventType} for {@code meshId}. {@code actorPeerId}/{@code targetPeerId} are
     * member ids (or null); {@code metadata} holds plain facts (ids, counts, codes, key prefixes).
     */
    public void record(
            String meshId, String eventType, String actorPeerId, String targetPeerId, Map<String, ?> metadata) {
        for (String key : metadata.keySet()) {
            if (FORBIDDEN_KEYS.contains(key)) {
                throw new IllegalArgumentException("audit metadata must not carry '" + key + "'");
            }
        }
        jdbc.update(
                """
                INSERT INTO mesh.audit_log (id, mesh_id, event_type, actor_peer_id, target_peer_id, metadata, created_at)
                VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)
                """,
                UUID.randomUUID().toString(),
                meshId,
                eventType,
                actorPeerId,
                targetPeerId,
                json.writeValueAsString(metadata),
                com.claudemesh.broker.db.UtcTimestamps.toDb(clock.instant()));
    }
}
