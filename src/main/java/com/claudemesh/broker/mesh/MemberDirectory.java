package com.claudemesh.broker.mesh;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Read access to members for other packages: who may connect (A.3) and who receives (A.4). */
@Service
public class MemberDirectory {

    private static final RowMapper<Member> MEMBER = (rs, row) -> new Member(
            rs.getString("id"),
            rs.getString("mesh_id"),
            rs.getString("peer_pubkey"),
            rs.getString("display_name"),
            rs.getString("role"));

    private final JdbcClient jdbc;

    MemberDirectory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The non-revoked member of a non-archived mesh with this pubkey (lowercase hex). */
    public Optional<Member> findActive(String meshId, String pubkeyHex) {
        return jdbc.sql("""
                        SELECT m.id, m.mesh_id, m.peer_pubkey, m.display_name, m.role::text AS role
                        FROM mesh.member m JOIN mesh.mesh h ON h.id = m.mesh_id
                        WHERE m.mesh_id = ? AND lower(m.peer_pubkey) = ? AND m.revoked_at IS NULL
                          AND h.archived_at IS NULL
                        ORDER BY m.joined_at
                        LIMIT 1
                        """).params(meshId, pubkeyHex).query(MEMBER).optional();
    }

    /** Every non-revoked member of a non-archived mesh. */
    public List<Member> activeMembers(String meshId) {
        return jdbc.sql("""
                        SELECT m.id, m.mesh_id, m.peer_pubkey, m.display_name, m.role::text AS role
                        FROM mesh.member m JOIN mesh.mesh h ON h.id = m.mesh_id
                        WHERE m.mesh_id = ? AND m.revoked_at IS NULL AND h.archived_at IS NULL
                        ORDER BY m.joined_at, m.id
                        """).param(meshId).query(MEMBER).list();
    }

    /** Whether a mesh row with this id exists (archived or not): audit events need one (FK). */
    public boolean meshExists(String meshId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM mesh.mesh WHERE id = ?)")
                .param(meshId)
                .query(Boolean.class)
                .single();
    }
}
