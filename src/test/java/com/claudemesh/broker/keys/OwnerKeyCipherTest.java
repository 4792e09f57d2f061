package com.claudemesh.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.config.InvalidConfigurationException;
import com.claudemesh.broker.crypto.Aead;
import com.claudemesh.broker.crypto.Vectors;
import com.claudemesh.broker.refusal.Unavailable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Encryption at rest of owner secret keys: the {@code enc:v1:} format, plaintext rows, key parsing. */
class OwnerKeyCipherTest {

    private static final String KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final String SECRET = Vectors.text("keys", "owner", "secretKeyHex");

    static BrokerProperties properties(String keyEncryptionKey) {
        return new BrokerProperties(
                7900,
                Duration.ofSeconds(60),
                Duration.ofSeconds(30),
                100,
                65536,
                30,
                60,
                600,
                100,
                Duration.ofDays(7),
                Duration.ofDays(1),
                1024,
                Duration.ofSeconds(10),
                600,
                100,
                20_000,
                1_000,
                null,
                null,
                false,
                Path.of("/tmp"),
                null,
                null,
                keyEncryptionKey,
                null);
    }

    private static OwnerKeyCipher cipher(String key) {
        OwnerKeyCipher cipher = new OwnerKeyCipher(new Aead(Vectors.sodium()), properties(key));
        cipher.markVerified();
        return cipher;
    }

    @Test
    void nothingIsSealedOrOpenedBeforeTheStartUpCheckPassed() {
        OwnerKeyCipher unchecked = new OwnerKeyCipher(new Aead(Vectors.sodium()), properties(KEY_HEX));

        assertThatThrownBy(() -> unchecked.protect("mesh-1", SECRET)).isInstanceOf(OwnerKeysLocked.class);
        assertThatThrownBy(() -> unchecked.reveal("mesh-1", SECRET)).isInstanceOf(OwnerKeysLocked.class);
    }

    @Test
    void lockedKeysAreARefusalTheAdminApiAnswersWith503OwnerKeysLocked() {
        OwnerKeyCipher unchecked = new OwnerKeyCipher(new Aead(Vectors.sodium()), properties(KEY_HEX));

        assertThatThrownBy(() -> unchecked.protect("mesh-1", SECRET))
                .isInstanceOf(Unavailable.class)
                .hasMessage("mesh owner keys are locked until the BROKER_KEY_ENCRYPTION_KEY check passes;"
                        + " see the broker's start-up log")
                .extracting(locked -> ((OwnerKeysLocked) locked).code())
                .isEqualTo("owner_keys_locked");
    }

    @Test
    void withAKeySecretKeysAreStoredSealedAndReadBack() {
        OwnerKeyCipher cipher = cipher(KEY_HEX);

        String stored = cipher.protect("mesh-1", SECRET);

        assertThat(stored).startsWith("enc:v1:").doesNotContain(SECRET).doesNotContain(SECRET.substring(0, 64));
        assertThat(cipher.reveal("mesh-1", stored)).hasValue(SECRET);
    }

    @Test
    void aSealedValueCopiedOntoAnotherMeshDoesNotOpen() {
        OwnerKeyCipher cipher = cipher(KEY_HEX);

        assertThat(cipher.reveal("mesh-2", cipher.protect("mesh-1", SECRET))).isEmpty();
    }

    @Test
    void anotherKeyCannotOpenTheValuesOrTheCheckValue() {
        OwnerKeyCipher original = cipher(KEY_HEX);
        OwnerKeyCipher other = cipher("ff".repeat(32));

        assertThat(other.reveal("mesh-1", original.protect("mesh-1", SECRET))).isEmpty();
        assertThat(other.opensCheckValue(original.sealCheckValue())).isFalse();
        assertThat(original.opensCheckValue(original.sealCheckValue())).isTrue();
    }

    @Test
    void plaintextRowsOfTheWebAppAreReadAsTheyAreWithOrWithoutAKey() {
        assertThat(cipher(KEY_HEX).reveal("mesh-1", SECRET)).hasValue(SECRET);
        assertThat(cipher(null).reveal("mesh-1", SECRET)).hasValue(SECRET);
    }

    @Test
    void withoutAKeySecretKeysStayPlaintextAndSealedOnesCannotBeOpened() {
        OwnerKeyCipher none = cipher(null);

        assertThat(none.enabled()).isFalse();
        assertThat(none.protect("mesh-1", SECRET)).isEqualTo(SECRET);
        assertThat(none.reveal("mesh-1", cipher(KEY_HEX).protect("mesh-1", SECRET)))
                .isEmpty();
    }

    @Test
    void theKeyMayBeGivenInHexOrBase64() {
        byte[] raw = com.claudemesh.broker.crypto.Hex.decode(KEY_HEX);
        OwnerKeyCipher hex = cipher(KEY_HEX.toUpperCase());
        OwnerKeyCipher base64 = cipher(Base64.getEncoder().encodeToString(raw));
        OwnerKeyCipher base64Url =
                cipher(Base64.getUrlEncoder().withoutPadding().encodeToString(raw));

        String stored = hex.protect("m", SECRET);
        assertThat(base64.reveal("m", stored)).hasValue(SECRET);
        assertThat(base64Url.reveal("m", stored)).hasValue(SECRET);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"short", "00112233", "not base64 !!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="})
    void keysThatAreNot32BytesStopStartUpWithOneClearLine(String value) {
        assertThatThrownBy(() -> cipher(value))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("BROKER_KEY_ENCRYPTION_KEY must be 32 bytes")
                .hasMessageNotContaining(value);
    }
}
