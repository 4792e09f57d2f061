package com.claudemesh.broker.support;

import com.claudemesh.broker.crypto.Hex;
import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.interfaces.Box;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/** What a real claudemesh client does to a DM: crypto_box with the ed25519 keys turned into curve25519. */
public final class PeerCrypto {

    public record Sealed(String nonceBase64, String ciphertextBase64) {}

    private final LazySodiumJava sodium;
    private final SecureRandom random = new SecureRandom();

    public PeerCrypto(LazySodiumJava sodium) {
        this.sodium = sodium;
    }

    public Sealed seal(String plaintext, String recipientEdPublicHex, String senderEdSecretHex) {
        byte[] message = plaintext.getBytes(StandardCharsets.UTF_8);
        byte[] nonce = new byte[Box.NONCEBYTES];
        random.nextBytes(nonce);
        byte[] cipher = new byte[message.length + Box.MACBYTES];
        if (!sodium.cryptoBoxEasy(
                cipher,
                message,
                message.length,
                nonce,
                curvePublic(recipientEdPublicHex),
                curveSecret(senderEdSecretHex))) {
            throw new IllegalStateException("crypto_box_easy failed");
        }
        return new Sealed(
                Base64.getEncoder().encodeToString(nonce), Base64.getEncoder().encodeToString(cipher));
    }

    public String open(
            String nonceBase64, String ciphertextBase64, String senderEdPublicHex, String recipientEdSecretHex) {
        byte[] nonce = Base64.getDecoder().decode(nonceBase64);
        byte[] cipher = Base64.getDecoder().decode(ciphertextBase64);
        byte[] message = new byte[cipher.length - Box.MACBYTES];
        if (!sodium.cryptoBoxOpenEasy(
                message,
                cipher,
                cipher.length,
                nonce,
                curvePublic(senderEdPublicHex),
                curveSecret(recipientEdSecretHex))) {
            throw new IllegalStateException("crypto_box_open_easy failed: not for this recipient or tampered");
        }
        return new String(message, StandardCharsets.UTF_8);
    }

    private byte[] curvePublic(String edPublicHex) {
        byte[] curve = new byte[Box.PUBLICKEYBYTES];
        sodium.convertPublicKeyEd25519ToCurve25519(curve, Hex.decode(edPublicHex));
        return curve;
    }

    private byte[] curveSecret(String edSecretHex) {
        byte[] curve = new byte[Box.SECRETKEYBYTES];
        sodium.convertSecretKeyEd25519ToCurve25519(curve, Hex.decode(edSecretHex));
        return curve;
    }
}
