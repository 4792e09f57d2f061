package com.claudemesh.broker.invite;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Base64Url;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.mesh.AdminApiTestBase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Issuing, listing and revoking invites through the admin API (PROTOCOL A.10, A.11). */
class InviteAdminApiTest extends AdminApiTestBase {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    @Autowired
    Ed25519 ed25519;

    private String meshId;

    @BeforeEach
    void meshWithKeys() throws Exception {
        truncateAll();
        clock.set(NOW);
        meshId = createMesh("invites").get("id").asString();
    }

    @Test
    void a10_aDefaultInviteIsASingleUseMemberInviteForSevenDaysSignedByTheMeshOwner() throws Exception {
        JsonNode created = createInvite(meshId, "{}");

        long expiresAt = NOW.getEpochSecond() + 7 * 24 * 3600;
        JsonNode payload = created.get("payload");
        Map<String, Object> mesh =
                jdbc.queryForMap("SELECT slug, owner_pubkey, root_key FROM mesh.mesh WHERE id = ?", meshId);
        assertThat(created.get("role").asString()).isEqualTo("member");
        assertThat(created.get("maxUses").asInt()).isEqualTo(1);
        assertThat(Instant.parse(created.get("expiresAt").asString())).isEqualTo(Instant.ofEpochSecond(expiresAt));
        assertThat(payload.propertyNames())
                .containsExactly(
                        "v",
                        "mesh_id",
                        "mesh_slug",
                        "broker_url",
                        "expires_at",
                        "mesh_root_key",
                        "role",
                        "owner_pubkey",
                        "signature");
        assertThat(payload.get("v").asInt()).isEqualTo(1);
        assertThat(payload.get("mesh_id").asString()).isEqualTo(meshId);
        assertThat(payload.get("mesh_slug").asString()).isEqualTo(mesh.get("slug"));
        assertThat(payload.get("broker_url").asString()).isEqualTo("ws://localhost:7900/ws");
        assertThat(payload.get("expires_at").asLong()).isEqualTo(expiresAt);
        assertThat(payload.get("mesh_root_key").asString()).isEqualTo(mesh.get("root_key"));
        assertThat(payload.get("owner_pubkey").asString()).isEqualTo(mesh.get("owner_pubkey"));
        String canonical = JoinService.canonicalOf(payload).orElseThrow();
        assertThat(ed25519.verify(canonical, payload.get("signature").asString(), (String) mesh.get("owner_pubkey")))
                .isTrue();
    }

    @Test
    void a10_theTokenIsBase64UrlOfThePayloadJsonAndTheLinkCarriesIt() throws Exception {
        JsonNode created = createInvite(meshId, "{\"role\":\"admin\",\"maxUses\":5,\"expiresInSeconds\":3600}");

        String token = created.get("token").asString();
        String payloadJson = new String(Base64Url.decode(token), StandardCharsets.UTF_8);
        assertThat(payloadJson).startsWith("{\"v\":1,\"mesh_id\":").doesNotContain(" ");
        assertThat(json.readTree(payloadJson)).isEqualTo(created.get("payload"));
        assertThat(created.get("link").asString()).isEqualTo("ic://join/" + token);
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT token, token_bytes, max_uses, used_count, role::text AS role, expires_at, created_by FROM mesh.invite WHERE id = ?",
                created.get("id").asString());
        assertThat(row.get("token")).isEqualTo(token);
        assertThat(row.get("token_bytes"))
                .isEqualTo(JoinService.canonicalOf(created.get("payload")).orElseThrow());
        assertThat(row.get("max_uses")).isEqualTo(5);
        assertThat(row.get("used_count")).isEqualTo(0);
        assertThat(row.get("role")).isEqualTo("admin");
        assertThat(row.get("created_by")).isNull();
        assertThat(row.get("expires_at").toString()).isEqualTo("2026-11-27 11:00:00.0");
    }

    @Test
    void a11_invitesWithTheSameRoleAndExpiryGetUniqueTokensByMovingExpiryForward() throws Exception {
        JsonNode first = createInvite(meshId, "{}");
        JsonNode second = createInvite(meshId, "{}");
        JsonNode third = createInvite(meshId, "{}");
        JsonNode admin = createInvite(meshId, "{\"role\":\"admin\"}");

        long base = first.get("payload").get("expires_at").asLong();
        assertThat(second.get("payload").get("expires_at").asLong()).isEqualTo(base + 1);
        assertThat(third.get("payload").get("expires_at").asLong()).isEqualTo(base + 2);
        assertThat(admin.get("payload").get("expires_at").asLong()).isEqualTo(base);
        assertThat(List.of(first, second, third, admin).stream()
                        .map(invite -> invite.get("token").asString())
                        .distinct())
                .hasSize(4);
        assertThat(second.get("payload").propertyNames()).hasSize(9);
        String canonical = JoinService.canonicalOf(second.get("payload")).orElseThrow();
        assertThat(ed25519.verify(
                        canonical,
                        second.get("payload").get("signature").asString(),
                        second.get("payload").get("owner_pubkey").asString()))
                .isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"role\":\"owner\"}|invalid_role",
                "{\"maxUses\":0}|invalid_max_uses",
                "{\"maxUses\":1001}|invalid_max_uses",
                "{\"expiresInSeconds\":59}|invalid_expires_in",
                "{\"expiresInSeconds\":7776001}|invalid_expires_in",
                "{\"maxUses\":\"x\"}|invalid_body"
            })
    void invalidInviteRequestsAnswer400WithACode(String requestBody, String code) throws Exception {
        HttpResponse<String> response = adminPost("/api/meshes/" + meshId + "/invites", requestBody);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(problemCode(body(response))).isEqualTo(code);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.invite", Long.class))
                .isZero();
    }

    @Test
    void theLimitsThemselvesAreAccepted() throws Exception {
        assertThat(createInvite(meshId, "{\"maxUses\":1000,\"expiresInSeconds\":60}")
                        .get("maxUses")
                        .asInt())
                .isEqualTo(1000);
        assertThat(createInvite(meshId, "{\"expiresInSeconds\":7776000}")
                        .get("payload")
                        .get("expires_at")
                        .asLong())
                .isEqualTo(NOW.getEpochSecond() + 7_776_000);
    }

    @Test
    void archivedMeshesAnswer409AndUnknownMeshes404() throws Exception {
        adminPost("/api/meshes/" + meshId + "/archive", "");

        HttpResponse<String> archived = adminPost("/api/meshes/" + meshId + "/invites", "{}");
        HttpResponse<String> unknown = adminPost("/api/meshes/nope/invites", "{}");

        assertThat(archived.statusCode()).isEqualTo(409);
        assertThat(problemCode(body(archived))).isEqualTo("mesh_archived");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(problemCode(body(unknown))).isEqualTo("mesh_not_found");
    }

    @Test
    void a11_aMeshWithoutKeysAnswers409PointingAtTheBackfill() throws Exception {
        jdbc.update("INSERT INTO mesh.mesh (id, name, slug) VALUES ('legacy', 'Legacy', 'legacy-mesh')");

        HttpResponse<String> response = adminPost("/api/meshes/legacy/invites", "{}");

        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode problem = body(response);
        assertThat(problemCode(problem)).isEqualTo("mesh_missing_keys");
        assertThat(problem.get("detail").asString()).contains("backfill-keys");
    }

    @Test
    void theListShowsStateAndUsesButNeverTokens() throws Exception {
        JsonNode active = createInvite(meshId, "{\"maxUses\":3}");
        JsonNode usedUp = createInvite(meshId, "{\"maxUses\":2}");
        JsonNode revoked = createInvite(meshId, "{}");
        JsonNode expiring = createInvite(meshId, "{\"expiresInSeconds\":60}");
        jdbc.update(
                "UPDATE mesh.invite SET used_count = 1 WHERE id = ?",
                active.get("id").asString());
        jdbc.update(
                "UPDATE mesh.invite SET used_count = 2 WHERE id = ?",
                usedUp.get("id").asString());
        adminPost("/api/invites/" + revoked.get("id").asString() + "/revoke", "");
        clock.advance(Duration.ofSeconds(60));

        HttpResponse<String> response = adminGet("/api/meshes/" + meshId + "/invites");

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, JsonNode> byId = new java.util.HashMap<>();
        body(response).forEach(invite -> byId.put(invite.get("id").asString(), invite));
        assertThat(byId.get(active.get("id").asString()).get("state").asString())
                .isEqualTo("active");
        assertThat(byId.get(active.get("id").asString()).get("uses").asInt()).isEqualTo(1);
        assertThat(byId.get(usedUp.get("id").asString()).get("state").asString())
                .isEqualTo("used_up");
        assertThat(byId.get(revoked.get("id").asString()).get("state").asString())
                .isEqualTo("revoked");
        assertThat(byId.get(expiring.get("id").asString()).get("state").asString())
                .isEqualTo("expired");
        for (JsonNode invite : List.of(active, usedUp, revoked, expiring)) {
            assertThat(response.body()).doesNotContain(invite.get("token").asString());
        }
        assertThat(response.body()).doesNotContain("signature");
    }

    @Test
    void revokingIsIdempotentAuditedOnceAnd404ForUnknownInvites() throws Exception {
        String inviteId = createInvite(meshId, "{}").get("id").asString();

        HttpResponse<String> first = adminPost("/api/invites/" + inviteId + "/revoke", "");
        HttpResponse<String> second = adminPost("/api/invites/" + inviteId + "/revoke", "");
        HttpResponse<String> unknown = adminPost("/api/invites/nope/revoke", "");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(body(first).get("state").asString()).isEqualTo("revoked");
        assertThat(body(second).get("revokedAt")).isEqualTo(body(first).get("revokedAt"));
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.audit_log WHERE event_type = 'invite_revoked'", Long.class))
                .isEqualTo(1);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(problemCode(body(unknown))).isEqualTo("invite_not_found");
    }
}
