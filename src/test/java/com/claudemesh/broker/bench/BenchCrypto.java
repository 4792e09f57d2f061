package com.claudemesh.broker.bench;

import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import com.goterl.lazysodium.interfaces.Box;
import com.goterl.lazysodium.interfaces.SecretBox;
import com.goterl.lazysodium.interfaces.Sign;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The crypto a claudemesh client does, with libsodium as every real client: ed25519 hello
 * signatures and crypto_box between members, keys converted from ed25519 to curve25519.
 *
 * <p>crypto_box_easy costs one X25519 scalar multiplication per message; on a 2-core machine that
 * the broker shares, 100 000 of them on each side would eat seconds of CPU and distort the
 * broker's figures. So the shared key of each member pair is computed once (crypto_box_beforenm)
 * and messages use the _afternm variants, which produce the same bytes as crypto_box_easy (checked
 * against the libsodium vector in the tests).
 */
final class BenchCrypto {

    static final int NONCE_BYTES = Box.NONCEBYTES;

    private static final HexFormat HEX = HexFormat.of();

    /** A member's keys: ed25519 for hello, the curve25519 forms for crypto_box. */
    record MemberKeys(String publicKeyHex, byte[] signSecretKey, byte[] boxPublicKey, byte[] boxSecretKey) {

        @Override
        public String toString() {
            return "MemberKeys[" + publicKeyHex.substring(0, 12) + "…]";
        }
    }

    /**
     * The two member indexes of a shared key, lower first. Not one {@code long}: {@code
     * Long.hashCode} of {@code low << 32 | high} is {@code low ^ high}, which puts the 4 950 pairs of
     * 100 members on 128 hash codes, and the lookups into the tree bins that makes.
     */
    private record Pair(int low, int high) {}

    /**
     * One per JVM: every {@code SodiumJava} registers libsodium's native methods anew, and the
     * measured run after a warm-up would otherwise throw the compiled wrappers away and compile
     * them again while it is measured.
     */
    private static final LazySodiumJava SODIUM = new LazySodiumJava(new SodiumJava());

    private final ConcurrentHashMap<Pair, byte[]> sharedKeys = new ConcurrentHashMap<>();

    MemberKeys generate() {
        byte[] publicKey = new byte[Sign.PUBLICKEYBYTES];
        byte[] secretKey = new byte[Sign.SECRETKEYBYTES];
        check(SODIUM.cryptoSignKeypair(publicKey, secretKey), "keypair");
        return keys(publicKey, secretKey);
    }

    MemberKeys fromSeed(byte[] seed) {
        byte[] publicKey = new byte[Sign.PUBLICKEYBYTES];
        byte[] secretKey = new byte[Sign.SECRETKEYBYTES];
        check(SODIUM.cryptoSignSeedKeypair(publicKey, secretKey, seed), "seed keypair");
        return keys(publicKey, secretKey);
    }

    private MemberKeys keys(byte[] publicKey, byte[] secretKey) {
        byte[] boxPublic = new byte[Box.PUBLICKEYBYTES];
        byte[] boxSecret = new byte[Box.SECRETKEYBYTES];
        check(SODIUM.convertPublicKeyEd25519ToCurve25519(boxPublic, publicKey), "pk conversion");
        check(SODIUM.convertSecretKeyEd25519ToCurve25519(boxSecret, secretKey), "sk conversion");
        return new MemberKeys(HEX.formatHex(publicKey), secretKey, boxPublic, boxSecret);
    }

    /** Hex ed25519 signature over the hello canonical text {@code meshId|memberId|pubkey|timestamp}. */
    String signHello(String meshId, String memberId, MemberKeys keys, long timestampMillis) {
        byte[] message = (meshId + "|" + memberId + "|" + keys.publicKeyHex() + "|" + timestampMillis)
                .getBytes(StandardCharsets.UTF_8);
        byte[] signature = new byte[Sign.BYTES];
        check(SODIUM.cryptoSignDetached(signature, message, message.length, keys.signSecretKey()), "sign");
        return HEX.formatHex(signature);
    }

    byte[] nonce() {
        return SODIUM.randomBytesBuf(NONCE_BYTES);
    }

    byte[] randomKey() {
        return SODIUM.randomBytesBuf(SecretBox.KEYBYTES);
    }

    /**
     * crypto_box between members {@code a} and {@code b} (indexes into the run's member list): the
     * shared key is symmetric, so one cache entry serves both directions.
     */
    byte[] box(byte[] plaintext, byte[] nonce, int a, MemberKeys aKeys, int b, MemberKeys bKeys) {
        byte[] cipher = new byte[plaintext.length + Box.MACBYTES];
        byte[] key = sharedKey(a, aKeys, b, bKeys);
        check(SODIUM.cryptoBoxEasyAfterNm(cipher, plaintext, plaintext.length, nonce, key), "box");
        return cipher;
    }

    /** The plaintext, or null when the ciphertext does not authenticate. */
    byte[] open(byte[] cipher, byte[] nonce, int a, MemberKeys aKeys, int b, MemberKeys bKeys) {
        if (cipher.length < Box.MACBYTES || nonce.length != NONCE_BYTES) {
            return null;
        }
        byte[] plain = new byte[cipher.length - Box.MACBYTES];
        byte[] key = sharedKey(a, aKeys, b, bKeys);
        return SODIUM.cryptoBoxOpenEasyAfterNm(plain, cipher, cipher.length, nonce, key) ? plain : null;
    }

    /**
     * A broadcast goes to every member with one ciphertext, so it cannot be a pairwise crypto_box:
     * the generator seals it with crypto_secretbox under the mesh's root key, which every member
     * holds from its invite.
     */
    byte[] seal(byte[] plaintext, byte[] nonce, byte[] meshKey) {
        byte[] cipher = new byte[plaintext.length + SecretBox.MACBYTES];
        check(SODIUM.cryptoSecretBoxEasy(cipher, plaintext, plaintext.length, nonce, meshKey), "secretbox");
        return cipher;
    }

    byte[] unseal(byte[] cipher, byte[] nonce, byte[] meshKey) {
        if (cipher.length < SecretBox.MACBYTES || nonce.length != NONCE_BYTES) {
            return null;
        }
        byte[] plain = new byte[cipher.length - SecretBox.MACBYTES];
        return SODIUM.cryptoSecretBoxOpenEasy(plain, cipher, cipher.length, nonce, meshKey) ? plain : null;
    }

    private byte[] sharedKey(int a, MemberKeys aKeys, int b, MemberKeys bKeys) {
        Pair pair = a < b ? new Pair(a, b) : new Pair(b, a);
        return sharedKeys.computeIfAbsent(pair, p -> {
            byte[] key = new byte[Box.BEFORENMBYTES];
            check(SODIUM.cryptoBoxBeforeNm(key, bKeys.boxPublicKey(), aKeys.boxSecretKey()), "beforenm");
            return key;
        });
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("libsodium failed: " + what);
        }
    }
}
