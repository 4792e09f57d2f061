package com.claudemesh.broker.crypto;

import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.interfaces.AEAD;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * XChaCha20-Poly1305 (libsodium's IETF AEAD): its 24-byte nonces are safe to pick at random, so no
 * nonce state has to be kept across restarts. The sealed form is {@code nonce ‖ ciphertext ‖ tag}.
 */
@Component
public class Aead {

    public static final int KEY_BYTES = AEAD.XCHACHA20POLY1305_IETF_KEYBYTES;
    private static final int NONCE_BYTES = AEAD.XCHACHA20POLY1305_IETF_NPUBBYTES;
    private static final int TAG_BYTES = AEAD.XCHACHA20POLY1305_IETF_ABYTES;

    private final LazySodiumJava sodium;
    private final SecureRandom random = new SecureRandom();

    public Aead(LazySodiumJava sodium) {
        this.sodium = sodium;
    }

    /** Encrypts {@code plaintext}; {@code associatedData} is authenticated but not stored. */
    public byte[] seal(byte[] key, byte[] plaintext, byte[] associatedData) {
        requireKey(key);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = new byte[NONCE_BYTES + plaintext.length + TAG_BYTES];
        byte[] ciphertext = new byte[plaintext.length + TAG_BYTES];
        if (!sodium.cryptoAeadXChaCha20Poly1305IetfEncrypt(
                ciphertext,
                null,
                plaintext,
                plaintext.length,
                associatedData,
                associatedData.length,
                null,
                nonce,
                key)) {
            throw new IllegalStateException("libsodium could not encrypt");
        }
        System.arraycopy(nonce, 0, sealed, 0, NONCE_BYTES);
        System.arraycopy(ciphertext, 0, sealed, NONCE_BYTES, ciphertext.length);
        return sealed;
    }

    /** The plaintext, or empty when the key, the associated data or the bytes do not match. */
    public Optional<byte[]> open(byte[] key, byte[] sealed, byte[] associatedData) {
        requireKey(key);
        if (sealed == null || sealed.length < NONCE_BYTES + TAG_BYTES) {
            return Optional.empty();
        }
        byte[] nonce = Arrays.copyOfRange(sealed, 0, NONCE_BYTES);
        byte[] ciphertext = Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length);
        byte[] plaintext = new byte[ciphertext.length - TAG_BYTES];
        boolean ok = sodium.cryptoAeadXChaCha20Poly1305IetfDecrypt(
                plaintext,
                null,
                null,
                ciphertext,
                ciphertext.length,
                associatedData,
                associatedData.length,
                nonce,
                key);
        return ok ? Optional.of(plaintext) : Optional.empty();
    }

    private static void requireKey(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("an XChaCha20-Poly1305 key is 32 bytes");
        }
    }
}
