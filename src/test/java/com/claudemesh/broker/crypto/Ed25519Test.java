package com.claudemesh.broker.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** PROTOCOL A.2 against the libsodium vectors: key derivation, detached signatures, garbage never throws. */
class Ed25519Test {

    private final Ed25519 ed25519 = Vectors.ed25519();

    @ParameterizedTest
    @ValueSource(strings = {"owner", "peerA", "peerB", "foreignOwner"})
    void a2_keysFromSeedMatchTheVectorsByteForByte(String name) {
        Ed25519.KeyPair pair = ed25519.fromSeed(Hex.decode(Vectors.text("keys", name, "seedHex")));

        assertThat(pair.publicKeyHex()).isEqualTo(Vectors.text("keys", name, "publicKeyHex"));
        assertThat(pair.secretKeyHex()).isEqualTo(Vectors.text("keys", name, "secretKeyHex"));
    }

    @Test
    void a3_helloSignatureMatchesTheVector() {
        String canonical = Vectors.text("hello", "canonical");

        assertThat(ed25519.sign(canonical, Vectors.text("keys", "peerA", "secretKeyHex")))
                .isEqualTo(Vectors.text("hello", "signatureHex"));
        assertThat(ed25519.verify(
                        canonical,
                        Vectors.text("hello", "signatureHex"),
                        Vectors.text("keys", "peerA", "publicKeyHex")))
                .isTrue();
    }

    @Test
    void a2_hexIsAcceptedInEitherCase() {
        String canonical = Vectors.text("invite", "canonical");

        assertThat(ed25519.verify(
                        canonical,
                        Vectors.text("invite", "signatureHex").toUpperCase(),
                        Vectors.text("keys", "owner", "publicKeyHex").toUpperCase()))
                .isTrue();
    }

    @Test
    void aSignatureOfAnotherKeyOrTextDoesNotVerify() {
        String signature = Vectors.text("invite", "signatureHex");

        assertThat(ed25519.verify(
                        Vectors.text("invite", "canonical"), signature, Vectors.text("keys", "peerA", "publicKeyHex")))
                .isFalse();
        assertThat(ed25519.verify(
                        Vectors.text("invite", "canonical") + " ",
                        signature,
                        Vectors.text("keys", "owner", "publicKeyHex")))
                .isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "zz",
                "00",
                "613fcb",
                "g13fcb6214eb0b408b27c8887f8bc21373ef8cf7c6d93b1b5aa391880946db624422ffe1e6d10473d0ee5b8bf04128f1f95be9deead8ff64a3b01b4f39ec780d",
                "613fcb6214eb0b408b27c8887f8bc21373ef8cf7c6d93b1b5aa391880946db624422ffe1e6d10473d0ee5b8bf04128f1f95be9deead8ff64a3b01b4f39ec780d00"
            })
    void verifyReturnsFalseOnGarbageSignaturesInsteadOfThrowing(String signature) {
        assertThat(ed25519.verify(
                        Vectors.text("invite", "canonical"), signature, Vectors.text("keys", "owner", "publicKeyHex")))
                .isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {"8a88", "not hex at all", "ff", "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5"
            })
    void verifyReturnsFalseOnGarbagePublicKeysInsteadOfThrowing(String publicKey) {
        assertThat(ed25519.verify(
                        Vectors.text("invite", "canonical"), Vectors.text("invite", "signatureHex"), publicKey))
                .isFalse();
    }

    @Test
    void verifyReturnsFalseOnANullText() {
        assertThat(ed25519.verify(
                        null, Vectors.text("invite", "signatureHex"), Vectors.text("keys", "owner", "publicKeyHex")))
                .isFalse();
    }

    @Test
    void generatedKeypairsSignAndVerify() {
        Ed25519.KeyPair pair = ed25519.generate();

        assertThat(pair.publicKeyHex()).hasSize(Ed25519.PUBLIC_KEY_HEX);
        assertThat(pair.secretKeyHex()).hasSize(Ed25519.SECRET_KEY_HEX).endsWith(pair.publicKeyHex());
        assertThat(ed25519.verify("x|y", ed25519.sign("x|y", pair.secretKeyHex()), pair.publicKeyHex()))
                .isTrue();
        assertThat(pair.toString()).doesNotContain(pair.secretKeyHex()).doesNotContain(pair.publicKeyHex());
    }
}
