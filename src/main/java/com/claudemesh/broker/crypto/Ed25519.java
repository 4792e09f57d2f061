package com.claudemesh.broker.crypto;

import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.interfaces.Sign;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/**
 * ed25519 as every claudemesh client uses it (PROTOCOL A.2): 32-byte public keys, libsodium's
 * 64-byte secret keys (seed ‖ public key), detached signatures over UTF-8 canonical texts.
 */
@Component
public class Ed25519 {

    public static final int PUBLIC_KEY_HEX = Sign.PUBLICKEYBYTES * 2;
    public static final int SECRET_KEY_HEX = Sign.SECRETKEYBYTES * 2;
    public static final int SIGNATURE_HEX = Sign.BYTES * 2;

    /** A keypair in the hex forms stored on rows and sent on the wire. */
    public record KeyPair(String publicKeyHex, String secretKeyHex) {

        @Override
        public String toString() {
            return "KeyPair[publicKeyHex=" + publicKeyHex.substring(0, 12) + "…, secretKeyHex=<redacted>]";
        }
    }

    private final LazySodiumJava sodium;

    public Ed25519(LazySodiumJava sodium) {
        this.sodium = sodium;
    }

    public KeyPair generate() {
        byte[] publicKey = new byte[Sign.PUBLICKEYBYTES];
        byte[] secretKey = new byte[Sign.SECRETKEYBYTES];
        if (!sodium.cryptoSignKeypair(publicKey, secretKey)) {
            throw new IllegalStateException("libsodium could not generate a keypair");
        }
        return new KeyPair(Hex.encode(publicKey), Hex.encode(secretKey));
    }

    public KeyPair fromSeed(byte[] seed) {
        byte[] publicKey = new byte[Sign.PUBLICKEYBYTES];
        byte[] secretKey = new byte[Sign.SECRETKEYBYTES];
        if (seed.length != Sign.SEEDBYTES || !sodium.cryptoSignSeedKeypair(publicKey, secretKey, seed)) {
            throw new IllegalArgumentException("a seed is 32 bytes");
        }
        return new KeyPair(Hex.encode(publicKey), Hex.encode(secretKey));
    }

    /** Detached signature of the UTF-8 bytes of {@code text}, hex. */
    public String sign(String text, String secretKeyHex) {
        byte[] secretKey = Hex.decode(secretKeyHex);
        if (secretKey.length != Sign.SECRETKEYBYTES) {
            throw new IllegalArgumentException("an ed25519 secret key is 64 bytes");
        }
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        byte[] signature = new byte[Sign.BYTES];
        if (!sodium.cryptoSignDetached(signature, message, message.length, secretKey)) {
            throw new IllegalStateException("libsodium could not sign");
        }
        return Hex.encode(signature);
    }

    /** Whether {@code signatureHex} signs {@code text} for {@code publicKeyHex}; never throws on garbage. */
    public boolean verify(String text, String signatureHex, String publicKeyHex) {
        if (text == null || !Hex.isHex(signatureHex, SIGNATURE_HEX) || !Hex.isHex(publicKeyHex, PUBLIC_KEY_HEX)) {
            return false;
        }
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        try {
            return sodium.cryptoSignVerifyDetached(
                    Hex.decode(signatureHex), message, message.length, Hex.decode(publicKeyHex));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
