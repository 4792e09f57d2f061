package com.claudemesh.broker.keys;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Seals owner secret keys still stored in plaintext (e.g. written by the claudemesh web app). */
@Service
public class KeyReencryption {

    private static final Logger log = LoggerFactory.getLogger(KeyReencryption.class);

    private final MeshKeyRows meshes;
    private final OwnerKeyCipher cipher;
    private final TransactionTemplate tx;

    KeyReencryption(MeshKeyRows meshes, OwnerKeyCipher cipher, TransactionTemplate tx) {
        this.meshes = meshes;
        this.cipher = cipher;
        this.tx = tx;
    }

    /**
     * Encrypts every plaintext owner secret key in one transaction; returns how many rows changed.
     *
     * @throws IllegalStateException when {@code BROKER_KEY_ENCRYPTION_KEY} is not set
     */
    public int run() {
        if (!cipher.enabled()) {
            throw new IllegalStateException("BROKER_KEY_ENCRYPTION_KEY is not set: there is no key to encrypt with");
        }
        Integer updated = tx.execute(status -> {
            int count = 0;
            for (MeshKeyRows.StoredKeys row : meshes.lockRowsWithPlaintextSecretKey()) {
                meshes.updateStoredSecretKey(row.meshId(), cipher.protect(row.meshId(), row.storedSecretKey()));
                count++;
            }
            return count;
        });
        int count = updated == null ? 0 : updated;
        log.atInfo().addKeyValue("updated", count).log("Re-encryption sealed {} owner secret key(s)", count);
        return count;
    }
}
