package com.claudemesh.broker.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** XChaCha20-Poly1305 as the encryption at rest of owner secret keys uses it. */
class AeadTest {

    private final Aead aead = new Aead(Vectors.sodium());
    private final byte[] key = filled(7);
    private final byte[] context = "mesh-1".getBytes(StandardCharsets.UTF_8);
    private final byte[] plaintext = "secret key hex".getBytes(StandardCharsets.UTF_8);

    @Test
    void sealedBytesOpenWithTheSameKeyAndContext() {
        byte[] sealed = aead.seal(key, plaintext, context);

        assertThat(aead.open(key, sealed, context))
                .hasValueSatisfying(opened -> assertThat(opened).isEqualTo(plaintext));
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("secret key hex");
    }

    @Test
    void everySealUsesAFreshNonce() {
        assertThat(aead.seal(key, plaintext, context)).isNotEqualTo(aead.seal(key, plaintext, context));
    }

    @Test
    void anotherKeyAnotherContextOrATamperedByteDoesNotOpen() {
        byte[] sealed = aead.seal(key, plaintext, context);
        byte[] tampered = Arrays.copyOf(sealed, sealed.length);
        tampered[tampered.length - 1] ^= 1;

        assertThat(aead.open(filled(8), sealed, context)).isEmpty();
        assertThat(aead.open(key, sealed, "mesh-2".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(aead.open(key, tampered, context)).isEmpty();
        assertThat(aead.open(key, new byte[3], context)).isEmpty();
    }

    @Test
    void keysOfTheWrongLengthAreRefused() {
        assertThatThrownBy(() -> aead.seal(new byte[16], plaintext, context))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] filled(int value) {
        byte[] bytes = new byte[Aead.KEY_BYTES];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
