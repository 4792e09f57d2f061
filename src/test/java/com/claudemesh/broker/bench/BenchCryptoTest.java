package com.claudemesh.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The generator's crypto against the libsodium vectors every real client agrees with. */
class BenchCryptoTest {

    private final BenchCrypto crypto = new BenchCrypto();
    private final JsonNode vectors = vectors();

    @Test
    void helloSignatureMatchesTheVector() {
        JsonNode hello = vectors.path("hello").path("fields");
        BenchCrypto.MemberKeys peerA = keys("peerA");

        String signature = crypto.signHello(
                hello.path("meshId").asString(),
                hello.path("memberId").asString(),
                peerA,
                hello.path("timestamp").asLong());

        assertThat(signature)
                .isEqualTo(vectors.path("hello").path("signatureHex").asString());
    }

    @Test
    void precomputedBoxProducesTheBytesOfCryptoBoxEasy() {
        JsonNode dm = vectors.path("directMessage");
        BenchCrypto.MemberKeys peerA = keys("peerA");
        BenchCrypto.MemberKeys peerB = keys("peerB");
        byte[] nonce = Base64.getDecoder().decode(dm.path("nonceBase64").asString());
        byte[] plain = dm.path("plaintext").asString().getBytes(StandardCharsets.UTF_8);

        byte[] cipher = crypto.box(plain, nonce, 0, peerA, 1, peerB);

        assertThat(Base64.getEncoder().encodeToString(cipher))
                .isEqualTo(dm.path("ciphertextBase64").asString());
        assertThat(crypto.open(cipher, nonce, 1, peerB, 0, peerA)).isEqualTo(plain);
        // the recipient side of a real client: crypto_box_open_easy without precomputation
        byte[] opened = new byte[plain.length];
        LazySodiumJava sodium = new LazySodiumJava(new SodiumJava());
        assertThat(sodium.cryptoBoxOpenEasy(
                        opened, cipher, cipher.length, nonce, peerA.boxPublicKey(), peerB.boxSecretKey()))
                .isTrue();
        assertThat(opened).isEqualTo(plain);
    }

    @Test
    void tamperedCiphertextDoesNotOpen() {
        BenchCrypto.MemberKeys peerA = keys("peerA");
        BenchCrypto.MemberKeys peerB = keys("peerB");
        byte[] nonce = crypto.nonce();
        byte[] cipher = crypto.box("hello".getBytes(StandardCharsets.UTF_8), nonce, 0, peerA, 1, peerB);
        cipher[cipher.length - 1] ^= 1;

        assertThat(crypto.open(cipher, nonce, 1, peerB, 0, peerA)).isNull();
    }

    @Test
    void sealedBroadcastOpensOnlyWithTheMeshKey() {
        byte[] meshKey = crypto.randomKey();
        byte[] nonce = crypto.nonce();
        byte[] plain = "to everyone".getBytes(StandardCharsets.UTF_8);

        byte[] cipher = crypto.seal(plain, nonce, meshKey);

        assertThat(crypto.unseal(cipher, nonce, meshKey)).isEqualTo(plain);
        assertThat(crypto.unseal(cipher, nonce, crypto.randomKey())).isNull();
    }

    private BenchCrypto.MemberKeys keys(String name) {
        JsonNode key = vectors.path("keys").path(name);
        BenchCrypto.MemberKeys keys =
                crypto.fromSeed(HexFormat.of().parseHex(key.path("seedHex").asString()));
        assertThat(keys.publicKeyHex()).isEqualTo(key.path("publicKeyHex").asString());
        return keys;
    }

    private static JsonNode vectors() {
        try (InputStream in = BenchCryptoTest.class.getResourceAsStream("/claudemesh-v1.json")) {
            return JsonMapper.builder().build().readTree(in);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
