package com.claudemesh.broker.invite;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The SQL of {@code mesh.invite}. */
@Repository
class InviteStore {

    private static final String COLUMNS =
            "id, mesh_id, role::text AS role, max_uses, used_count, expires_at, created_by, created_at, revoked_at";

    private static final RowMapper<InviteRow> ROW = (rs, n) -> new InviteRow(
            rs.getString("id"),
            rs.getString("mesh_id"),
            rs.getString("role"),
            rs.getInt("max_uses"),
            rs.getInt("used_count"),
            fromDb(rs.getObject("expires_at", LocalDateTime.class)),
            rs.getString("created_by"),
            fromDb(rs.getObject("created_at", LocalDateTime.class)),
            fromDb(rs.getObject("revoked_at", LocalDateTime.class)));

    private final JdbcClient jdbc;

    InviteStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores the invite unless its token exists already (A.11: the issuer then moves expires_at). */
    boolean insertIfTokenIsNew(
            String id,
            String meshId,
            String token,
            String canonical,
            int maxUses,
            String role,
            Instant expiresAt,
            Instant createdAt) {
        return jdbc.sql("""
                        INSERT INTO mesh.invite (id, mesh_id, token, token_bytes, max_uses, used_count, role,
                                                 expires_at, created_by, created_at)
                        VALUES (?, ?, ?, ?, ?, 0, ?::mesh.role, ?, NULL, ?)
                        ON CONFLICT (token) DO NOTHING
                        """)
                        .params(id, meshId, token, canonical, maxUses, role, toDb(expiresAt), toDb(createdAt))
                        .update()
                == 1;
    }

    List<InviteRow> ofMesh(String meshId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh.invite WHERE mesh_id = ? ORDER BY created_at, id")
                .param(meshId)
                .query(ROW)
                .list();
    }

    Optional<InviteRow> find(String inviteId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh.invite WHERE id = ?")
                .param(inviteId)
                .query(ROW)
                .optional();
    }

    Optional<InviteRow> findByToken(String token) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh.invite WHERE token = ?")
                .param(token)
                .query(ROW)
                .optional();
    }

    /** Sets {@code revoked_at} unless already set; false when nothing changed. */
    boolean revoke(String inviteId, Instant now) {
        return jdbc.sql("UPDATE mesh.invite SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                        .params(toDb(now), inviteId)
                        .update()
                == 1;
    }

    /** A transaction-scoped lock on (mesh, pubkey): joins of the same peer to the same mesh run one at a time. */
    void lockJoinsOf(String meshId, String pubkey) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext(?))")
                .param("join:" + meshId + ":" + pubkey)
                .query((rs, n) -> n)
                .single();
    }

    /**
     * Claims one use in a single conditional UPDATE, so concurrent joins can never claim more uses
     * than {@code max_uses}: PostgreSQL re-checks the condition on the row each winner locked.
     */
    boolean claimUse(String inviteId, Instant now) {
        return jdbc.sql("""
                        UPDATE mesh.invite SET used_count = used_count + 1
                        WHERE id = ? AND used_count < max_uses AND revoked_at IS NULL AND expires_at > ?
                        """).params(inviteId, toDb(now)).update() == 1;
    }
}
