package com.claudemesh.broker.keys;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.crypto.Ed25519;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fills in missing mesh keys (PROTOCOL A.11) for meshes created before the web app generated them:
 * a new keypair when either half is missing (both halves replaced together so they always match),
 * a new root key only when it is missing. Idempotent: a second run finds nothing to do.
 */
@Service
public class KeyBackfill {

    private static final Logger log = LoggerFactory.getLogger(KeyBackfill.class);

    private final MeshKeyRows meshes;
    private final MeshKeyFactory keys;
    private final OwnerKeyCipher cipher;
    private final AuditLog audit;
    private final TransactionTemplate tx;

    KeyBackfill(
            MeshKeyRows meshes, MeshKeyFactory keys, OwnerKeyCipher cipher, AuditLog audit, TransactionTemplate tx) {
        this.meshes = meshes;
        this.keys = keys;
        this.cipher = cipher;
        this.audit = audit;
        this.tx = tx;
    }

    /** Runs one pass in one transaction; returns how many mesh rows were updated. */
    public int run() {
        Integer updated = tx.execute(status -> {
            int count = 0;
            for (MeshKeyRows.StoredKeys row : meshes.lockRowsMissingKeys()) {
                boolean newKeyPair = row.ownerPubkey() == null || row.storedSecretKey() == null;
                boolean newRootKey = row.rootKey() == null;
                String pubkey = row.ownerPubkey();
                String storedSecret = row.storedSecretKey();
                if (newKeyPair) {
                    Ed25519.KeyPair pair = keys.ownerKeyPair();
                    pubkey = pair.publicKeyHex();
                    storedSecret = cipher.protect(row.meshId(), pair.secretKeyHex());
                }
                String rootKey = newRootKey ? keys.rootKey() : row.rootKey();
                meshes.updateKeys(row.meshId(), pubkey, storedSecret, rootKey);
                Map<String, Object> metadata = new LinkedHashMap<>();
                metadata.put("generated_keypair", newKeyPair);
                metadata.put("generated_root_key", newRootKey);
                audit.record(row.meshId(), "keys_backfilled", null, null, metadata);
                count++;
            }
            return count;
        });
        int count = updated == null ? 0 : updated;
        log.atInfo().addKeyValue("updated", count).log("Key backfill updated {} mesh(es)", count);
        return count;
    }
}
