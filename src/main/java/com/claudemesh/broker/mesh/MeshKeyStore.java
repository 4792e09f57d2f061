package com.claudemesh.broker.mesh;

import com.claudemesh.broker.keys.MeshKeyRows;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The SQL of the key columns of {@code mesh.mesh}, for key handling ({@code keys}) through {@link MeshKeyRows}. */
@Repository
class MeshKeyStore implements MeshKeyRows {

    private static final RowMapper<StoredKeys> KEYS = (rs, n) -> new StoredKeys(
            rs.getString("id"),
            rs.getString("owner_pubkey"),
            rs.getString("owner_secret_key"),
            rs.getString("root_key"));

    private final JdbcClient jdbc;

    MeshKeyStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<StoredKeys> lockRowsMissingKeys() {
        return jdbc.sql("""
                        SELECT id, owner_pubkey, owner_secret_key, root_key FROM mesh.mesh
                        WHERE owner_pubkey IS NULL OR owner_secret_key IS NULL OR root_key IS NULL
                        ORDER BY id
                        FOR UPDATE
                        """).query(KEYS).list();
    }

    @Override
    public List<StoredKeys> lockRowsWithPlaintextSecretKey() {
        return jdbc.sql("""
                        SELECT id, owner_pubkey, owner_secret_key, root_key FROM mesh.mesh
                        WHERE owner_secret_key IS NOT NULL AND owner_secret_key NOT LIKE 'enc:v1:%'
                        ORDER BY id
                        FOR UPDATE
                        """).query(KEYS).list();
    }

    @Override
    public Optional<StoredKeys> anySealedSecretKey() {
        return jdbc.sql("""
                        SELECT id, owner_pubkey, owner_secret_key, root_key FROM mesh.mesh
                        WHERE owner_secret_key LIKE 'enc:v1:%'
                        LIMIT 1
                        """).query(KEYS).optional();
    }

    @Override
    public void updateKeys(String meshId, String ownerPubkey, String storedSecretKey, String rootKey) {
        jdbc.sql("UPDATE mesh.mesh SET owner_pubkey = ?, owner_secret_key = ?, root_key = ? WHERE id = ?")
                .params(ownerPubkey, storedSecretKey, rootKey, meshId)
                .update();
    }

    @Override
    public void updateStoredSecretKey(String meshId, String storedSecretKey) {
        jdbc.sql("UPDATE mesh.mesh SET owner_secret_key = ? WHERE id = ?")
                .params(storedSecretKey, meshId)
                .update();
    }
}
