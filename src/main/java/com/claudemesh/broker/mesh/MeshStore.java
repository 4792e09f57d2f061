package com.claudemesh.broker.mesh;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The SQL of {@code mesh.mesh}; its key columns for key handling are in {@link MeshKeyStore}. */
@Repository
class MeshStore {

    private static final String COLUMNS = """
            id, name, slug, owner_user_id, visibility::text AS visibility, transport::text AS transport,
            max_peers, tier::text AS tier, owner_pubkey, owner_secret_key, root_key, created_at, archived_at
            """;

    private static final RowMapper<MeshRow> ROW = (rs, n) -> new MeshRow(
            rs.getString("id"),
            rs.getString("name"),
            rs.getString("slug"),
            rs.getString("owner_user_id"),
            rs.getString("visibility"),
            rs.getString("transport"),
            (Integer) rs.getObject("max_peers"),
            rs.getString("tier"),
            rs.getString("owner_pubkey"),
            rs.getString("owner_secret_key"),
            rs.getString("root_key"),
            fromDb(rs.getObject("created_at", LocalDateTime.class)),
            fromDb(rs.getObject("archived_at", LocalDateTime.class)));

    private final JdbcClient jdbc;

    MeshStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a mesh; false when the slug is taken (the unique constraint decides, race-free). */
    boolean insert(MeshRow mesh) {
        return jdbc.sql("""
                        INSERT INTO mesh.mesh (id, name, slug, owner_user_id, visibility, transport, max_peers,
                                               owner_pubkey, owner_secret_key, root_key, created_at)
                        VALUES (?, ?, ?, ?, ?::mesh.visibility, ?::mesh.transport, ?, ?, ?, ?, ?)
                        ON CONFLICT (slug) DO NOTHING
                        """)
                        .params(
                                mesh.id(),
                                mesh.name(),
                                mesh.slug(),
                                mesh.ownerUserId(),
                                mesh.visibility(),
                                mesh.transport(),
                                mesh.maxPeers(),
                                mesh.ownerPubkey(),
                                mesh.storedSecretKey(),
                                mesh.rootKey(),
                                toDb(mesh.createdAt()))
                        .update()
                == 1;
    }

    Optional<MeshRow> find(String meshId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh.mesh WHERE id = ?")
                .param(meshId)
                .query(ROW)
                .optional();
    }

    List<MeshRow> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh.mesh ORDER BY created_at, id")
                .query(ROW)
                .list();
    }

    /** Sets {@code archived_at} unless already set; false when nothing changed. */
    boolean archive(String meshId, Instant now) {
        return jdbc.sql("UPDATE mesh.mesh SET archived_at = ? WHERE id = ? AND archived_at IS NULL")
                        .params(toDb(now), meshId)
                        .update()
                == 1;
    }
}
