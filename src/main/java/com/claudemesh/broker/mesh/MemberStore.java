package com.claudemesh.broker.mesh;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The writes of {@code mesh.member} and the admin API's reads (the session layer reads through {@link MemberDirectory}). */
@Repository
class MemberStore {

    private static final String COLUMNS = """
            id, mesh_id, user_id, peer_pubkey, display_name, role::text AS role, joined_at, last_seen_at, revoked_at
            """;

    private static final RowMapper<MemberRow> ROW = (rs, n) -> new MemberRow(
            rs.getString("id"),
            rs.getString("mesh_id"),
            rs.getString("user_id"),
            rs.getString("peer_pubkey"),
            rs.getString("display_name"),
            rs.getString("role"),
            fromDb(rs.getObject("joined_at", LocalDateTime.class)),
            fromDb(rs.getObject("last_seen_at", LocalDateTime.class)),
            fromDb(rs.getObject("revoked_at", LocalDateTime.class)));

    private final JdbcClient jdbc;

    MemberStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(String id, String meshId, String pubkey, String displayName, String role, Instant joinedAt) {
        jdbc.sql("""
                        INSERT INTO mesh.member (id, mesh_id, peer_pubkey, display_name, role, joined_at)
                        VALUES (?, ?, ?, ?, ?::mesh.role, ?)
                        """)
                .params(id, meshId, pubkey, displayName, role, toDb(joinedAt))
                .update();
    }

    List<MemberRow> ofMesh(String meshId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh.member WHERE mesh_id = ? ORDER BY joined_at, id")
                .param(meshId)
                .query(ROW)
                .list();
    }

    Optional<MemberRow> find(String meshId, String memberId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh.member WHERE mesh_id = ? AND id = ?")
                .params(meshId, memberId)
                .query(ROW)
                .optional();
    }

    /** Sets {@code revoked_at} unless already set; false when nothing changed. */
    boolean revoke(String meshId, String memberId, Instant now) {
        return jdbc.sql("UPDATE mesh.member SET revoked_at = ? WHERE mesh_id = ? AND id = ? AND revoked_at IS NULL")
                        .params(toDb(now), meshId, memberId)
                        .update()
                == 1;
    }

    /** Non-revoked members per mesh id. */
    Map<String, Long> activeCounts() {
        return jdbc
                .sql("SELECT mesh_id, count(*) AS n FROM mesh.member WHERE revoked_at IS NULL GROUP BY mesh_id")
                .query((rs, n) -> Map.entry(rs.getString("mesh_id"), rs.getLong("n")))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    long activeCount(String meshId) {
        return jdbc.sql("SELECT count(*) FROM mesh.member WHERE mesh_id = ? AND revoked_at IS NULL")
                .param(meshId)
                .query(Long.class)
                .single();
    }
}
