package com.claudemesh.broker.keys;

import java.util.List;
import java.util.Optional;

/**
 * The key columns of {@code mesh.mesh} ({@code owner_pubkey}, {@code owner_secret_key},
 * {@code root_key}) as the backfill, the re-encryption and the start-up check read and write them.
 * The {@code mesh} package owns the table and implements this; key handling never names a mesh
 * class, so {@code mesh} can use the cipher and the key factory without a cycle.
 */
public interface MeshKeyRows {

    /** Keys of one row as stored; {@code storedSecretKey} may be sealed ({@link OwnerKeyCipher}). */
    record StoredKeys(String meshId, String ownerPubkey, String storedSecretKey, String rootKey) {

        @Override
        public String toString() {
            return "StoredKeys[meshId=" + meshId + "]";
        }
    }

    /** Rows missing any key, locked until the caller's transaction ends so two backfills never race. */
    List<StoredKeys> lockRowsMissingKeys();

    /** Rows whose secret key is stored in plaintext, locked for the caller's transaction. */
    List<StoredKeys> lockRowsWithPlaintextSecretKey();

    Optional<StoredKeys> anySealedSecretKey();

    void updateKeys(String meshId, String ownerPubkey, String storedSecretKey, String rootKey);

    void updateStoredSecretKey(String meshId, String storedSecretKey);
}
