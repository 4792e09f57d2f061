package com.claudemesh.broker.support;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.db.UtcTimestamps;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/** Seeds meshes and members straight into the tables, so session tests need no join flow. */
public final class MeshSeeds {

    /** A seeded member with its ed25519 keypair (the secret stays in the test). */
    public record SeededMember(String id, String meshId, String displayName, Ed25519.KeyPair keys) {
        public String pubkey() {
            return keys.publicKeyHex();
        }
    }

    private final JdbcTemplate jdbc;
    private final Ed25519 ed25519;

    public MeshSeeds(JdbcTemplate jdbc, Ed25519 ed25519) {
        this.jdbc = jdbc;
        this.ed25519 = ed25519;
    }

    public String mesh() {
        String id = "mesh_" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.update("INSERT INTO mesh.mesh (id, name, slug) VALUES (?, ?, ?)", id, "Mesh " + id, id);
        return id;
    }

    public SeededMember member(String meshId, String displayName) {
        String id = "mem_" + UUID.randomUUID().toString().substring(0, 8);
        Ed25519.KeyPair keys = ed25519.generate();
        jdbc.update(
                "INSERT INTO mesh.member (id, mesh_id, peer_pubkey, display_name) VALUES (?, ?, ?, ?)",
                id,
                meshId,
                keys.publicKeyHex(),
                displayName);
        return new SeededMember(id, meshId, displayName, keys);
    }

    public void revoke(SeededMember member) {
        jdbc.update(
                "UPDATE mesh.member SET revoked_at = ? WHERE id = ?", UtcTimestamps.toDb(Instant.now()), member.id());
    }

    public void archive(String meshId) {
        jdbc.update("UPDATE mesh.mesh SET archived_at = ? WHERE id = ?", UtcTimestamps.toDb(Instant.now()), meshId);
    }
}
