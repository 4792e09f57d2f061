package com.claudemesh.broker.keys;

import com.claudemesh.broker.config.InvalidConfigurationException;
import com.claudemesh.broker.ops.SchemaReadyEvent;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Proves at start-up, once the schema is ready, that {@code BROKER_KEY_ENCRYPTION_KEY} is the key
 * the stored owner secret keys were sealed with. A mismatch stops start-up (the exception reaches
 * {@code ConfigurationErrorReporter} as one line): a broker that cannot open its keys would only
 * fail later, on the first invite. The first start with a key stores a sealed check value.
 */
@Component
class KeyEncryptionCheck {

    private static final Logger log = LoggerFactory.getLogger(KeyEncryptionCheck.class);

    private final OwnerKeyCipher cipher;
    private final MeshKeyRows meshes;
    private final KeyCheckStore checks;
    private final Clock clock;

    KeyEncryptionCheck(OwnerKeyCipher cipher, MeshKeyRows meshes, KeyCheckStore checks, Clock clock) {
        this.cipher = cipher;
        this.meshes = meshes;
        this.checks = checks;
        this.clock = clock;
    }

    @EventListener(SchemaReadyEvent.class)
    void verify() {
        Optional<String> checkValue = checks.checkValue();
        Optional<MeshKeyRows.StoredKeys> sealedRow = meshes.anySealedSecretKey();
        if (!cipher.enabled()) {
            if (checkValue.isPresent() || sealedRow.isPresent()) {
                throw new InvalidConfigurationException("BROKER_KEY_ENCRYPTION_KEY is not set, but the owner keys in"
                        + " this database are encrypted: set it to the key they were encrypted with");
            }
            log.warn("BROKER_KEY_ENCRYPTION_KEY is not set: mesh owner secret keys are stored in plaintext");
            cipher.markVerified();
            return;
        }
        boolean matches = checkValue
                .map(cipher::opensCheckValue)
                .orElseGet(() -> sealedRow
                        .map(row -> cipher.opens(row.meshId(), row.storedSecretKey()))
                        .orElse(true));
        if (!matches) {
            throw new InvalidConfigurationException("BROKER_KEY_ENCRYPTION_KEY does not match the key the owner keys"
                    + " in this database were encrypted with: start with the original key");
        }
        if (checkValue.isEmpty()) {
            checks.storeCheckValue(cipher.sealCheckValue(), clock.instant());
        }
        cipher.markVerified();
        log.info("Mesh owner secret keys are encrypted at rest (BROKER_KEY_ENCRYPTION_KEY verified)");
    }
}
