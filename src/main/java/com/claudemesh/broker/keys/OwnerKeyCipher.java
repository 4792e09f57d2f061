package com.claudemesh.broker.keys;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.config.InvalidConfigurationException;
import com.claudemesh.broker.crypto.Aead;
import com.claudemesh.broker.crypto.Base64Url;
import com.claudemesh.broker.crypto.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Encryption at rest of {@code mesh.owner_secret_key} with {@code BROKER_KEY_ENCRYPTION_KEY}. A
 * sealed value is {@code enc:v1:<base64url(nonce ‖ ciphertext ‖ tag)>}, bound to its mesh id so a
 * value copied onto another mesh row does not open. Values without the prefix are plaintext (the
 * claudemesh web app writes them that way) and are read as they are.
 */
@Component
public class OwnerKeyCipher {

    static final String PREFIX = "enc:v1:";
    private static final String CHECK_TEXT = "claudemesh key encryption check v1";
    private static final byte[] CHECK_CONTEXT = "key_encryption_check".getBytes(StandardCharsets.UTF_8);

    private final Aead aead;
    private final byte[] key;
    private volatile boolean verified;

    OwnerKeyCipher(Aead aead, BrokerProperties properties) {
        this.aead = aead;
        this.key =
                properties.keyEncryptionKeyIfSet().map(OwnerKeyCipher::parseKey).orElse(null);
    }

    boolean enabled() {
        return key != null;
    }

    /**
     * Unlocks the cipher once {@link KeyEncryptionCheck} proved the configured key (or its absence)
     * fits the database. Until then nothing is sealed or opened: when the database was down at
     * start-up the check runs late, and a wrong key must not seal new rows in the meantime.
     */
    void markVerified() {
        verified = true;
    }

    private void requireVerified() {
        if (!verified) {
            throw new OwnerKeysLocked();
        }
    }

    static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    /** The value to store for {@code secretKeyHex}: sealed when a key is configured, else as is. */
    public String protect(String meshId, String secretKeyHex) {
        requireVerified();
        if (key == null) {
            return secretKeyHex;
        }
        return PREFIX
                + Base64Url.encode(aead.seal(key, secretKeyHex.getBytes(StandardCharsets.UTF_8), context(meshId)));
    }

    /** The secret key hex of a stored value, or empty when it is sealed and cannot be opened here. */
    public Optional<String> reveal(String meshId, String stored) {
        requireVerified();
        if (!isSealed(stored)) {
            return Optional.ofNullable(stored);
        }
        return open(stored, context(meshId)).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** Whether the configured key opens this sealed value of {@code meshId}; usable before verification. */
    boolean opens(String meshId, String stored) {
        return open(stored, context(meshId)).isPresent();
    }

    String sealCheckValue() {
        return PREFIX + Base64Url.encode(aead.seal(key, CHECK_TEXT.getBytes(StandardCharsets.UTF_8), CHECK_CONTEXT));
    }

    boolean opensCheckValue(String stored) {
        return open(stored, CHECK_CONTEXT)
                .map(bytes -> CHECK_TEXT.equals(new String(bytes, StandardCharsets.UTF_8)))
                .orElse(false);
    }

    private Optional<byte[]> open(String stored, byte[] context) {
        if (key == null || !isSealed(stored)) {
            return Optional.empty();
        }
        byte[] sealed;
        try {
            sealed = Base64Url.decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return aead.open(key, sealed, context);
    }

    private static byte[] context(String meshId) {
        return ("mesh.owner_secret_key:" + meshId).getBytes(StandardCharsets.UTF_8);
    }

    /** 32 bytes as 64 hex characters or as base64 (standard or URL-safe, padding optional). */
    static byte[] parseKey(String value) {
        if (Hex.isHex(value, Aead.KEY_BYTES * 2)) {
            return Hex.decode(value);
        }
        try {
            byte[] decoded = value.contains("-") || value.contains("_")
                    ? Base64Url.decode(value)
                    : Base64.getDecoder().decode(value);
            if (decoded.length == Aead.KEY_BYTES) {
                return decoded;
            }
        } catch (IllegalArgumentException e) {
            // reported below with what is expected
        }
        throw new InvalidConfigurationException(
                "BROKER_KEY_ENCRYPTION_KEY must be 32 bytes written as 64 hex characters or base64"
                        + " (generate one with: openssl rand -hex 32)");
    }
}
