package com.claudemesh.broker.invite;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Base64Url;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.crypto.Vectors;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** PROTOCOL A.10 invite formats against the libsodium vectors, byte for byte. */
class InviteVectorsTest {

    private final Ed25519 ed25519 = Vectors.ed25519();
    private final JsonNode vector = Vectors.root().get("invite");

    private InviteFields vectorFields() {
        JsonNode f = vector.get("fields");
        return new InviteFields(
                f.get("v").asInt(),
                f.get("mesh_id").asString(),
                f.get("mesh_slug").asString(),
                f.get("broker_url").asString(),
                f.get("expires_at").asLong(),
                f.get("mesh_root_key").asString(),
                f.get("role").asString(),
                f.get("owner_pubkey").asString());
    }

    private SignedInvite signedVector() {
        return vectorFields().sign(ed25519, Vectors.text("keys", "owner", "secretKeyHex"));
    }

    @Test
    void a10_canonicalText() {
        assertThat(vectorFields().canonical()).isEqualTo(vector.get("canonical").asString());
    }

    @Test
    void a10_signatureOfTheCanonicalTextWithTheOwnerKey() {
        assertThat(signedVector().signature())
                .isEqualTo(vector.get("signatureHex").asString());
    }

    @Test
    void a10_payloadJsonHasTheProtocolKeyOrderAndNoSpaces() {
        assertThat(signedVector().payloadJson())
                .isEqualTo(vector.get("payloadJson").asString());
    }

    @Test
    void a10_tokenIsBase64UrlWithoutPaddingOfThePayloadJson() {
        String token = signedVector().token();

        assertThat(token).isEqualTo(vector.get("token").asString()).doesNotContain("=", "+", "/");
        assertThat(new String(Base64Url.decode(token), StandardCharsets.UTF_8))
                .isEqualTo(vector.get("payloadJson").asString());
    }

    @Test
    void a10_link() {
        assertThat(signedVector().link()).isEqualTo(vector.get("link").asString());
    }

    @Test
    void a10_canonicalOfAReceivedPayloadEqualsTheVectorAndVerifies() {
        JsonNode payload = Vectors.root().get("invite").get("fields");

        assertThat(JoinService.canonicalOf(payload))
                .hasValue(vector.get("canonical").asString());
        assertThat(ed25519.verify(
                        JoinService.canonicalOf(payload).orElseThrow(),
                        vector.get("signatureHex").asString(),
                        payload.get("owner_pubkey").asString()))
                .isTrue();
    }

    @Test
    void a10_negativeTamperedRoleFailsItsOwnSignature() {
        JsonNode negative = Vectors.root().get("inviteNegative").get(0);
        JsonNode payload = negative.get("payload");

        assertThat(negative.get("expectError").asString()).isEqualTo("invite_bad_signature");
        assertThat(ed25519.verify(
                        JoinService.canonicalOf(payload).orElseThrow(),
                        payload.get("signature").asString(),
                        payload.get("owner_pubkey").asString()))
                .isFalse();
    }

    @Test
    void a10_negativeForeignOwnerPassesItsOwnSignatureButNamesAnotherOwner() {
        JsonNode negative = Vectors.root().get("inviteNegative").get(1);
        JsonNode payload = negative.get("payload");

        assertThat(negative.get("expectError").asString()).isEqualTo("invite_owner_mismatch");
        assertThat(ed25519.verify(
                        JoinService.canonicalOf(payload).orElseThrow(),
                        payload.get("signature").asString(),
                        payload.get("owner_pubkey").asString()))
                .isTrue();
        assertThat(payload.get("owner_pubkey").asString()).isNotEqualTo(Vectors.text("keys", "owner", "publicKeyHex"));
    }

    @Test
    void aPayloadMissingASignedFieldHasNoCanonicalText() {
        ObjectNode incomplete = (ObjectNode) vector.get("fields").deepCopy();
        incomplete.remove("mesh_slug");
        assertThat(JoinService.canonicalOf(incomplete)).isEmpty();
        incomplete.put("mesh_slug", true);
        assertThat(JoinService.canonicalOf(incomplete)).isEmpty();
    }

    @Test
    void jsonStringsAreEscapedAsJavaScriptDoes() {
        assertThat(SignedInvite.quote("a\"b\\c\nd\u0001é/")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001é/\"");
    }
}
