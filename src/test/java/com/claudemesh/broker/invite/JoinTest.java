package com.claudemesh.broker.invite;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.crypto.Vectors;
import com.claudemesh.broker.mesh.AdminApiTestBase;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /join} exactly as PROTOCOL A.10: every check, every error text, the v1 reply shape. */
class JoinTest extends AdminApiTestBase {

    private static final String FIELDS_REQUIRED = "invite_token, invite_payload, peer_pubkey, display_name required";
    private static final String BAD_PUBKEY = "peer_pubkey must be 64 hex chars (32 bytes)";

    @Autowired
    Ed25519 ed25519;

    @BeforeEach
    void clean() {
        truncateAll();
    }

    // ---- success, idempotency, exhaustion -------------------------------------------------

    @Test
    void a10_aFreshPubkeyJoinsWithTheInvitesRoleAndBurnsOneUse() throws Exception {
        String meshId = createMesh(uniqueSlug("join")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{\"role\":\"admin\",\"maxUses\":2}");
        String pubkey = ed25519.generate().publicKeyHex();

        HttpResponse<String> response = join(invite, pubkey.toUpperCase(), "laptop-1234");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode reply = body(response);
        assertThat(reply.propertyNames()).containsExactly("ok", "memberId");
        assertThat(reply.get("ok").asBoolean()).isTrue();
        String memberId = reply.get("memberId").asString();
        var member = jdbc.queryForMap(
                "SELECT mesh_id, peer_pubkey, display_name, role::text AS role FROM mesh.member WHERE id = ?",
                memberId);
        assertThat(member.get("mesh_id")).isEqualTo(meshId);
        assertThat(member.get("peer_pubkey")).isEqualTo(pubkey);
        assertThat(member.get("display_name")).isEqualTo("laptop-1234");
        assertThat(member.get("role")).isEqualTo("admin");
        assertThat(usedCount(invite)).isEqualTo(1);
    }

    @Test
    void a10_joiningAgainReturnsTheSameMemberWithoutBurningAUse() throws Exception {
        String meshId = createMesh(uniqueSlug("again")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");
        String pubkey = ed25519.generate().publicKeyHex();
        String memberId = body(join(invite, pubkey, "a")).get("memberId").asString();

        HttpResponse<String> again = join(invite, pubkey, "a");

        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode reply = body(again);
        assertThat(reply.get("ok").asBoolean()).isTrue();
        assertThat(reply.get("memberId").asString()).isEqualTo(memberId);
        assertThat(reply.get("alreadyMember").asBoolean()).isTrue();
        assertThat(usedCount(invite)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.member", Long.class))
                .isEqualTo(1);
    }

    @Test
    void a10_aSecondPubkeyOnASingleUseInviteIsExhausted() throws Exception {
        String meshId = createMesh(uniqueSlug("single")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");
        join(invite, ed25519.generate().publicKeyHex(), "first");

        HttpResponse<String> second = join(invite, ed25519.generate().publicKeyHex(), "second");

        assertRefused(second, "invite_exhausted");
        assertThat(usedCount(invite)).isEqualTo(1);
    }

    @Test
    void a10_tenConcurrentJoinsOnASingleUseInviteHaveExactlyOneWinner() throws Exception {
        String meshId = createMesh(uniqueSlug("race")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(10)) {
            for (int i = 0; i < 10; i++) {
                String pubkey = ed25519.generate().publicKeyHex();
                String name = "racer-" + i;
                Callable<HttpResponse<String>> attempt = () -> {
                    start.await();
                    return join(invite, pubkey, name);
                };
                replies.add(pool.submit(attempt));
            }
            start.countDown();
            int winners = 0;
            int exhausted = 0;
            for (Future<HttpResponse<String>> reply : replies) {
                HttpResponse<String> response = reply.get();
                JsonNode body = body(response);
                if (response.statusCode() == 200 && body.get("ok").asBoolean()) {
                    winners++;
                } else if (response.statusCode() == 400
                        && "invite_exhausted".equals(body.get("error").asString())) {
                    exhausted++;
                }
            }
            assertThat(winners).isEqualTo(1);
            assertThat(exhausted).isEqualTo(9);
        }
        assertThat(usedCount(invite)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.member", Long.class))
                .isEqualTo(1);
    }

    @Test
    void a10_theVectorInviteAsTheWebAppIssuesItJoins() throws Exception {
        insertVectorMesh();
        insertVectorInvite("mesh_vec_0001");

        HttpResponse<String> response = postJson(
                "/join",
                joinBody(
                        Vectors.text("invite", "token"),
                        Vectors.root().get("invite").get("payloadJson").asString(),
                        Vectors.text("keys", "peerA", "publicKeyHex"),
                        "peer-a"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body(response).get("ok").asBoolean()).isTrue();
    }

    // ---- the checks of A.10 in order ------------------------------------------------------

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"invite_payload\":{},\"peer_pubkey\":\"%s\",\"display_name\":\"d\"}",
                "{\"invite_token\":\"t\",\"peer_pubkey\":\"%s\",\"display_name\":\"d\"}",
                "{\"invite_token\":\"t\",\"invite_payload\":{},\"display_name\":\"d\"}",
                "{\"invite_token\":\"t\",\"invite_payload\":{},\"peer_pubkey\":\"%s\"}",
                "{\"invite_token\":\"\",\"invite_payload\":{},\"peer_pubkey\":\"%s\",\"display_name\":\"d\"}",
                "{\"invite_token\":\"t\",\"invite_payload\":null,\"peer_pubkey\":\"%s\",\"display_name\":\"d\"}",
                "{\"invite_token\":\"t\",\"invite_payload\":\"{}\",\"peer_pubkey\":\"%s\",\"display_name\":\"d\"}",
                "{\"invite_token\":\"t\",\"invite_payload\":{},\"peer_pubkey\":\"\",\"display_name\":\"d\"}",
                "{\"invite_token\":\"t\",\"invite_payload\":{},\"peer_pubkey\":\"%s\",\"display_name\":\"\"}",
                "[]"
            })
    void a10_step1_anyOfTheFourFieldsMissing(String template) throws Exception {
        assertRefused(postJson("/join", template.formatted("ab".repeat(32))), FIELDS_REQUIRED);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"abc\"",
                "\"zz%s\"",
                "\"%s0\"",
                "\"%s\"",
                "123",
            })
    void a10_step2_peerPubkeyNot64Hex(String pubkeyJson) throws Exception {
        String pubkey = pubkeyJson.formatted("ab".repeat(31), "ab".repeat(32), "ab".repeat(31) + "a");
        String body =
                "{\"invite_token\":\"t\",\"invite_payload\":{},\"peer_pubkey\":" + pubkey + ",\"display_name\":\"d\"}";

        assertRefused(postJson("/join", body), BAD_PUBKEY);
    }

    @Test
    void a10_step3_theTamperedVectorFailsItsOwnSignature() throws Exception {
        insertVectorMesh();
        insertVectorInvite("mesh_vec_0001");
        JsonNode negative = Vectors.root().get("inviteNegative").get(0);

        HttpResponse<String> response = postJson(
                "/join",
                joinBody(
                        Vectors.text("invite", "token"),
                        negative.get("payload").toString(),
                        Vectors.text("keys", "peerA", "publicKeyHex"),
                        "a"));

        assertRefused(response, negative.get("expectError").asString());
        assertThat(response.body()).isEqualTo("{\"ok\":false,\"error\":\"invite_bad_signature\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"role", "signature", "owner_pubkey", "mesh_slug", "v"})
    void a10_step3_aPayloadWithAChangedOrMissingFieldIsBadlySigned(String field) throws Exception {
        String meshId = createMesh(uniqueSlug("tamper")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");
        ObjectNode payload = (ObjectNode) invite.get("payload").deepCopy();
        switch (field) {
            case "role" -> payload.put("role", "admin");
            case "signature" -> payload.put("signature", "not-a-signature");
            case "owner_pubkey" ->
                payload.put("owner_pubkey", ed25519.generate().publicKeyHex());
            default -> payload.remove(field);
        }

        assertRefused(
                postJson(
                        "/join",
                        joinBody(
                                invite.get("token").asString(),
                                payload.toString(),
                                ed25519.generate().publicKeyHex(),
                                "d")),
                "invite_bad_signature");
        assertThat(usedCount(invite)).isZero();
    }

    @Test
    void a10_step4_aMeshThatDoesNotExist() throws Exception {
        Ed25519.KeyPair stranger = ed25519.generate();
        SignedInvite invite = fields("no-such-mesh", stranger).sign(ed25519, stranger.secretKeyHex());

        assertRefused(joinSigned(invite), "mesh_not_found");
    }

    @Test
    void a10_step4_anArchivedMesh() throws Exception {
        String meshId = createMesh(uniqueSlug("archived")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");
        adminPost("/api/meshes/" + meshId + "/archive", "");

        assertRefused(join(invite, ed25519.generate().publicKeyHex(), "d"), "mesh_not_found");
    }

    @Test
    void a10_step4_aCorrectlySignedPayloadWhoseMeshIdHoldsANulNamesNoMesh() throws Exception {
        Ed25519.KeyPair stranger = ed25519.generate();
        SignedInvite invite = fields("mesh\0id", stranger).sign(ed25519, stranger.secretKeyHex());

        assertRefused(joinSigned(invite), "mesh_not_found");
    }

    @Test
    void a10_step7_aTokenHoldingANulNamesNoInvite() throws Exception {
        String meshId = createMesh(uniqueSlug("nultoken")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");

        HttpResponse<String> response = postJson(
                "/join",
                joinBody(
                        invite.get("token").asString() + "\0",
                        invite.get("payload").toString(),
                        ed25519.generate().publicKeyHex(),
                        "d"));

        assertRefused(response, "invite_not_found");
    }

    @Test
    void a10_aDisplayNameThatCannotBeWrittenBackIsRefused_andNothingIsStored() throws Exception {
        String meshId = createMesh(uniqueSlug("badname")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");
        String pubkey = ed25519.generate().publicKeyHex();
        String template =
                joinBody(invite.get("token").asString(), invite.get("payload").toString(), pubkey, "NAME");

        for (String name : List.of("laptop\\ud800", "a\\u0000b", "\\udfffx")) {
            HttpResponse<String> response = postJson("/join", template.replace("NAME", name));

            assertRefused(response, "display_name must be well-formed Unicode text without NUL characters");
        }
        assertThat(usedCount(invite)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.member WHERE mesh_id = ?", Integer.class, meshId))
                .isZero();
        assertThat(join(invite, pubkey, "laptop \ud83d\ude00").statusCode()).isEqualTo(200);
    }

    @Test
    void a10_step5_aMeshWithoutOwnerPubkey() throws Exception {
        jdbc.update("INSERT INTO mesh.mesh (id, name, slug) VALUES ('keyless', 'Keyless', 'keyless')");
        Ed25519.KeyPair stranger = ed25519.generate();

        assertRefused(
                joinSigned(fields("keyless", stranger).sign(ed25519, stranger.secretKeyHex())),
                "mesh_missing_owner_key");
    }

    @Test
    void a10_step6_theForeignOwnerVectorNamesAnotherOwner() throws Exception {
        insertVectorMesh();
        insertVectorInvite("mesh_vec_0001");
        JsonNode negative = Vectors.root().get("inviteNegative").get(1);

        HttpResponse<String> response = postJson(
                "/join",
                joinBody(
                        Vectors.text("invite", "token"),
                        negative.get("payload").toString(),
                        Vectors.text("keys", "peerA", "publicKeyHex"),
                        "a"));

        assertRefused(response, negative.get("expectError").asString());
    }

    @Test
    void a10_step6_aFreshKeySigningForAnExistingMeshIsNotItsOwner() throws Exception {
        String meshId = createMesh(uniqueSlug("owner")).get("id").asString();
        Ed25519.KeyPair impostor = ed25519.generate();

        assertRefused(
                joinSigned(fields(meshId, impostor).sign(ed25519, impostor.secretKeyHex())), "invite_owner_mismatch");
    }

    @Test
    void a10_step7_aCorrectlySignedPayloadWhoseTokenWasNeverIssued() throws Exception {
        insertVectorMesh();

        HttpResponse<String> response = postJson(
                "/join",
                joinBody(
                        Vectors.text("invite", "token"),
                        Vectors.root().get("invite").get("payloadJson").asString(),
                        Vectors.text("keys", "peerA", "publicKeyHex"),
                        "a"));

        assertRefused(response, "invite_not_found");
    }

    @Test
    void a10_step8_theTokenOfAnotherMeshsInvite() throws Exception {
        insertVectorMesh();
        String otherMesh = createMesh(uniqueSlug("other")).get("id").asString();
        JsonNode otherInvite = createInvite(otherMesh, "{}");

        HttpResponse<String> response = postJson(
                "/join",
                joinBody(
                        otherInvite.get("token").asString(),
                        Vectors.root().get("invite").get("payloadJson").asString(),
                        Vectors.text("keys", "peerA", "publicKeyHex"),
                        "a"));

        assertRefused(response, "invite_mesh_mismatch");
        assertThat(usedCount(otherInvite)).isZero();
    }

    @Test
    void a10_step9_aRevokedInvite() throws Exception {
        String meshId = createMesh(uniqueSlug("revoked")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");
        adminPost("/api/invites/" + invite.get("id").asString() + "/revoke", "");

        assertRefused(join(invite, ed25519.generate().publicKeyHex(), "d"), "invite_revoked");
    }

    @Test
    void a10_step10_anInviteWhoseExpiryHasPassed() throws Exception {
        String meshId = createMesh(uniqueSlug("expired")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{\"expiresInSeconds\":60}");
        clock.advance(Duration.ofSeconds(59));
        String early = ed25519.generate().publicKeyHex();
        assertThat(join(invite, early, "early").statusCode()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(61));

        assertRefused(join(invite, ed25519.generate().publicKeyHex(), "late"), "invite_expired");
    }

    @Test
    void a10_step13_aMemberThatCannotBeStoredBurnsNoUse() throws Exception {
        String meshId = createMesh(uniqueSlug("insert")).get("id").asString();
        JsonNode invite = createInvite(meshId, "{}");

        // The database refuses the row: a constraint this test adds for the moment of the join.
        jdbc.execute("ALTER TABLE mesh.member ADD CONSTRAINT join_test_refuses CHECK (display_name <> 'refused')"
                + " NOT VALID");
        HttpResponse<String> response;
        try {
            response = join(invite, ed25519.generate().publicKeyHex(), "refused");
        } finally {
            jdbc.execute("ALTER TABLE mesh.member DROP CONSTRAINT join_test_refuses");
        }

        assertRefused(response, "member_insert_failed");
        assertThat(usedCount(invite)).isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.audit_log WHERE event_type = 'member_joined'", Long.class))
                .isZero();
    }

    // ---- transport-level replies keep the v1 shape ---------------------------------------

    @Test
    void a10_aBodyOverMaxMessageBytesAnswers413Json() throws Exception {
        String big = "{\"display_name\":\"" + "x".repeat(70_000) + "\"}";

        HttpResponse<String> withLength = postJson("/join", big);
        HttpResponse<String> chunked = http.send(
                HttpRequest.newBuilder(uri("/join"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes())))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        for (HttpResponse<String> response : List.of(withLength, chunked)) {
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.body()).isEqualTo("{\"ok\":false,\"error\":\"payload too large\"}");
        }
    }

    @Test
    void malformedJsonAndOtherMethodsAnswerTheV1Shape() throws Exception {
        HttpResponse<String> malformed = postJson("/join", "{not json");
        HttpResponse<String> get = get("/join");

        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(body(malformed).get("ok").asBoolean()).isFalse();
        assertThat(body(malformed).get("error").asString()).isEqualTo("body must be a JSON object");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(body(get).get("ok").asBoolean()).isFalse();
    }

    // ---- helpers ---------------------------------------------------------------------------

    private HttpResponse<String> join(JsonNode invite, String pubkey, String displayName) throws Exception {
        return postJson(
                "/join",
                joinBody(invite.get("token").asString(), invite.get("payload").toString(), pubkey, displayName));
    }

    private HttpResponse<String> joinSigned(SignedInvite invite) throws Exception {
        return postJson(
                "/join",
                joinBody(
                        invite.token(), invite.payloadJson(), ed25519.generate().publicKeyHex(), "d"));
    }

    private String joinBody(String token, String payloadJson, String pubkey, String displayName) {
        ObjectNode body = json.createObjectNode();
        body.put("invite_token", token);
        body.set("invite_payload", json.readTree(payloadJson));
        body.put("peer_pubkey", pubkey);
        body.put("display_name", displayName);
        return body.toString();
    }

    private static InviteFields fields(String meshId, Ed25519.KeyPair owner) {
        return new InviteFields(
                1,
                meshId,
                "some-slug",
                "ws://localhost:7900/ws",
                4_102_444_800L,
                "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ",
                "member",
                owner.publicKeyHex());
    }

    private void assertRefused(HttpResponse<String> response, String error) {
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = body(response);
        assertThat(body.get("ok").asBoolean()).isFalse();
        assertThat(body.get("error").asString()).isEqualTo(error);
        assertThat(body.propertyNames()).containsExactly("ok", "error");
    }

    private int usedCount(JsonNode invite) {
        return jdbc.queryForObject(
                "SELECT used_count FROM mesh.invite WHERE id = ?",
                Integer.class,
                invite.get("id").asString());
    }

    private void insertVectorMesh() {
        JsonNode fields = Vectors.root().get("invite").get("fields");
        jdbc.update(
                "INSERT INTO mesh.mesh (id, name, slug, owner_pubkey, owner_secret_key, root_key) VALUES (?, ?, ?, ?, ?, ?)",
                fields.get("mesh_id").asString(),
                "Vector mesh",
                fields.get("mesh_slug").asString(),
                Vectors.text("keys", "owner", "publicKeyHex"),
                Vectors.text("keys", "owner", "secretKeyHex"),
                fields.get("mesh_root_key").asString());
    }

    private void insertVectorInvite(String meshId) {
        jdbc.update(
                "INSERT INTO mesh.invite (id, mesh_id, token, token_bytes, expires_at) VALUES ('vec-invite', ?, ?, ?, '2100-01-01 00:00:00')",
                meshId,
                Vectors.text("invite", "token"),
                Vectors.text("invite", "canonical"));
    }
}
