package com.claudemesh.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

/** PROTOCOL A.4: client strings are well-formed Unicode; nonce and ciphertext are non-empty base64. */
class ClientTextTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void a4_aLoneSurrogateIsNotWellFormed_aPairIs() {
        assertThat(ClientText.wellFormed("plain ascii and é and 漢字")).isTrue();
        assertThat(ClientText.wellFormed("emoji \ud83d\ude00 pair")).isTrue();
        assertThat(ClientText.wellFormed("")).isTrue();
        assertThat(ClientText.wellFormed("\ud800")).isFalse();
        assertThat(ClientText.wellFormed("a\udc00b")).isFalse();
        assertThat(ClientText.wellFormed("high at the end \ud83d")).isFalse();
        assertThat(ClientText.wellFormed("reversed \ude00\ud83d")).isFalse();
        assertThat(ClientText.wellFormed("two highs \ud83d\ud83d\ude00")).isFalse();
    }

    @Test
    void a4_everyStringOfADocumentCounts_valuesAndFieldNamesAtAnyDepth() throws Exception {
        assertThat(ClientText.wellFormed(JSON.readTree("{\"a\":[1,{\"b\":\"\\ud83d\\ude00\"}],\"c\":null}")))
                .isTrue();
        assertThat(ClientText.wellFormed(JSON.readTree("{\"a\":[1,{\"b\":\"x\\ud800\"}]}")))
                .isFalse();
        assertThat(ClientText.wellFormed(JSON.readTree("{\"a\":{\"\\udfff\":1}}")))
                .isFalse();
        assertThat(ClientText.wellFormed(JSON.readTree("[\"ok\",[[\"\\ud800\"]]]")))
                .isFalse();
        assertThat(ClientText.wellFormed(JSON.readTree("\"\\udbff\\udfff\""))).isTrue();
    }

    @Test
    void a4_decodedJsonWithoutABackslashHoldsNoLoneSurrogate_withOneTheDocumentIsWalked() throws Exception {
        String plain = "{\"a\":\"\ud83d\ude00 é\"}";
        String escaped = "{\"a\":\"x\\ud800\"}";
        String escapedPair = "{\"a\":\"x\\ud83d\\ude00\"}";

        assertThat(ClientText.wellFormed(plain, JSON.readTree(plain))).isTrue();
        assertThat(ClientText.wellFormed(escaped, JSON.readTree(escaped))).isFalse();
        assertThat(ClientText.wellFormed(escapedPair, JSON.readTree(escapedPair)))
                .isTrue();
    }

    @Test
    void aStorableTextHasNoNulAndNoLoneSurrogate() {
        assertThat(ClientText.storable("/home/a/proj")).isTrue();
        assertThat(ClientText.storable("a\0b")).isFalse();
        assertThat(ClientText.storable("a\ud800")).isFalse();
        assertThat(ClientText.storable(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"AAAA", "AA", "AAA", "AA==", "AAA=", "bm9uY2U=", "Yw==", "AB+/", "AB-_", "ab_-cd", "Zm9vYmFy"})
    void a4_base64InEitherAlphabetWithOrWithoutPaddingIsAccepted(String text) {
        assertThat(ClientText.base64(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "A",
                "AAAAA",
                "AA=A",
                "=AAA",
                "A===",
                "AAA==",
                "AAAA=",
                "====",
                "AA =",
                " AAA",
                "AA\n",
                "A+_B",
                "AB/-",
                "AA.A",
                "é=",
                "AAAA===",
                "AA==AA=="
            })
    void a4_anythingElseIsNotBase64(String text) {
        assertThat(ClientText.base64(text)).isFalse();
    }

    @Test
    void a4_whatTheJdkEncodersWriteIsAccepted_atEveryLength() {
        Random random = new Random(9);
        for (int length = 1; length < 200; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            assertThat(ClientText.base64(Base64.getEncoder().encodeToString(bytes)))
                    .isTrue();
            assertThat(ClientText.base64(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)))
                    .isTrue();
            assertThat(ClientText.base64(Base64.getUrlEncoder().encodeToString(bytes)))
                    .isTrue();
        }
    }

    @Test
    void aNullIsNotBase64() {
        assertThat(ClientText.base64(null)).isFalse();
    }
}
