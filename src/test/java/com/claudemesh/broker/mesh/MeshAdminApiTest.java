package com.claudemesh.broker.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Base64Url;
import com.claudemesh.broker.crypto.Ed25519;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import tools.jackson.databind.JsonNode;

/** The admin API for meshes and members: auth (Part D), problem details, slug rules, A.11 keys, events. */
@RecordApplicationEvents
class MeshAdminApiTest extends AdminApiTestBase {

    @Autowired
    Ed25519 ed25519;

    @Autowired
    MeshAdministration meshAdministration;

    @Autowired
    MemberAdministration memberAdministration;

    @Autowired
    MemberDirectory directory;

    @Autowired
    ApplicationEvents events;

    @BeforeEach
    void clean() {
        truncateAll();
    }

    @ParameterizedTest
    @CsvSource({"GET,/api/meshes", "POST,/api/meshes", "POST,/api/admin/backfill-keys", "POST,/api/invites/x/revoke"})
    void partD_withoutATokenEveryApiRouteAnswers401(String method, String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri(path))
                        .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(problemCode(body(response))).isEqualTo("unauthorized");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bearer wrong-token-0123456789",
                "bearer wrong-token-0123456789",
                "Bearer test-admin-token-0123456789abcdeX"
            })
    void partD_aWrongTokenAnswers403AndChangesNothing(String authorization) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/api/meshes"))
                        .header("Authorization", authorization)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"slug\":\"forbidden-mesh\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(problemCode(body(response))).isEqualTo("forbidden");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.mesh", Long.class))
                .isZero();
    }

    @Test
    void partD_anotherSchemeThanBearerAnswers401() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/api/meshes"))
                        .header("Authorization", "Basic " + ADMIN_TOKEN)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void a11_creatingAMeshStoresAMatchingOwnerKeypairAndA32ByteRootKey() throws Exception {
        HttpResponse<String> response =
                adminPost("/api/meshes", "{\"name\":\"Team\",\"slug\":\"team-one\",\"visibility\":\"public\"}");

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode created = body(response);
        assertThat(created.propertyNames()).containsExactlyInAnyOrder("id", "name", "slug", "ownerPubkey", "createdAt");
        assertThat(created.get("slug").asString()).isEqualTo("team-one");
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT owner_pubkey, owner_secret_key, root_key, visibility::text AS visibility FROM mesh.mesh WHERE id = ?",
                created.get("id").asString());
        String pubkey = (String) row.get("owner_pubkey");
        String secret = (String) row.get("owner_secret_key");
        assertThat(pubkey).isEqualTo(created.get("ownerPubkey").asString()).hasSize(64);
        assertThat(secret).hasSize(128).endsWith(pubkey);
        assertThat(ed25519.verify("probe", ed25519.sign("probe", secret), pubkey))
                .isTrue();
        assertThat(Base64Url.decode((String) row.get("root_key"))).hasSize(32);
        assertThat((String) row.get("root_key")).doesNotContain("=");
        assertThat(row.get("visibility")).isEqualTo("public");
        assertThat(response.body()).doesNotContain(secret).doesNotContain((String) row.get("root_key"));
    }

    @Test
    void noRouteEverReturnsTheSecretKeyOrTheRootKey() throws Exception {
        String id = createMesh("secret-free").get("id").asString();
        Map<String, Object> row = jdbc.queryForMap("SELECT owner_secret_key, root_key FROM mesh.mesh WHERE id = ?", id);
        String secretSeed = ((String) row.get("owner_secret_key")).substring(0, 64);

        for (String path : new String[] {"/api/meshes", "/api/meshes/" + id, "/api/meshes/" + id + "/members"}) {
            assertThat(adminGet(path).body()).doesNotContain(secretSeed).doesNotContain((String) row.get("root_key"));
        }
        assertThat(adminPost("/api/meshes/" + id + "/archive", "").body())
                .doesNotContain(secretSeed)
                .doesNotContain((String) row.get("root_key"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ab",
                "Upper-case",
                "under_score",
                "with space",
                "dot.ted",
                "ünicode",
                "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi"
            })
    void slugsOutside3To48LowercaseLettersDigitsAndDashAreRefused(String slug) throws Exception {
        HttpResponse<String> response =
                adminPost("/api/meshes", json.writeValueAsString(Map.of("name", "x", "slug", slug)));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problem = body(response);
        assertThat(problemCode(problem)).isEqualTo("invalid_slug");
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("detail").asString()).contains("3 to 48");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0-9", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh"})
    void slugsAtTheBoundsAreAccepted(String slug) throws Exception {
        assertThat(createMesh(slug).get("slug").asString()).isEqualTo(slug);
    }

    @Test
    void aTakenSlugAnswers409SlugTakenAndStoresNothing() throws Exception {
        createMesh("taken-slug");

        HttpResponse<String> response = adminPost("/api/meshes", "{\"name\":\"Other\",\"slug\":\"taken-slug\"}");

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(problemCode(body(response))).isEqualTo("slug_taken");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.mesh", Long.class))
                .isEqualTo(1);
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.audit_log WHERE event_type = 'mesh_created'", Long.class))
                .isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"slug\":\"no-name\"}|invalid_name",
                "{\"name\":\"  \",\"slug\":\"blank-name\"}|invalid_name",
                "{\"name\":\"x\"}|invalid_slug",
                "{\"name\":\"x\",\"slug\":\"vis-x\",\"visibility\":\"secret\"}|invalid_visibility",
                "{\"name\":\"x\",\"slug\":\"tr-x\",\"transport\":\"carrier-pigeon\"}|invalid_transport",
                "{\"name\":\"x\",\"slug\":\"mp-x\",\"maxPeers\":0}|invalid_max_peers",
                "{\"name\":\"x\",\"slug\":\"mp-y\",\"maxPeers\":\"many\"}|invalid_body",
                "{\"name\":\"lone \\ud800 surrogate\",\"slug\":\"sur-x\"}|invalid_name",
                "{\"name\":\"a\\u0000b\",\"slug\":\"nul-x\"}|invalid_name",
                "{\"name\":\"x\",\"slug\":\"own-x\",\"ownerUserId\":\"u\\u0000\"}|invalid_owner_user_id",
                "not json|invalid_body"
            })
    void invalidBodiesAnswerProblemDetailsWithAStableCode(String requestBody, String code) throws Exception {
        HttpResponse<String> response = adminPost("/api/meshes", requestBody);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(problemCode(body(response))).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at com.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*/*", "application/*", "not a media type"})
    void aContentTypeThatIsNoMediaTypeAnswers415_notAServerError(String contentType) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/api/meshes"))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"slug\":\"ct-x\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(problemCode(body(response))).isEqualTo("unsupported_media_type");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.mesh", Long.class))
                .isZero();
    }

    @Test
    void listAndGetShowActiveMemberCounts() throws Exception {
        String id = createMesh("counted").get("id").asString();
        String other = createMesh("empty-one").get("id").asString();
        insertMember(id, "m1", "aa".repeat(32), null);
        insertMember(id, "m2", "bb".repeat(32), null);
        insertMember(id, "m3", "cc".repeat(32), "2026-01-01 00:00:00");

        JsonNode one = body(adminGet("/api/meshes/" + id));
        JsonNode list = body(adminGet("/api/meshes"));

        assertThat(one.get("memberCount").asLong()).isEqualTo(2);
        assertThat(one.get("hasKeys").asBoolean()).isTrue();
        assertThat(one.get("visibility").asString()).isEqualTo("private");
        assertThat(list).hasSize(2);
        for (JsonNode mesh : list) {
            long expected = mesh.get("id").asString().equals(id) ? 2 : 0;
            assertThat(mesh.get("memberCount").asLong()).isEqualTo(expected);
        }
        assertThat(other).isNotEqualTo(id);
    }

    @Test
    void unknownMeshesAnswer404MeshNotFound() throws Exception {
        for (HttpResponse<String> response : new HttpResponse[] {
            adminGet("/api/meshes/nope"),
            adminGet("/api/meshes/nope/members"),
            adminPost("/api/meshes/nope/archive", ""),
            adminPost("/api/meshes/nope/members/m/revoke", "")
        }) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(problemCode(body(response))).isEqualTo("mesh_not_found");
        }
    }

    @Test
    void archivingIsIdempotentAuditedOnceAndPublishesMeshArchivedAfterCommit() throws Exception {
        String id = createMesh("to-archive").get("id").asString();

        meshAdministration.archive(id);
        HttpResponse<String> again = adminPost("/api/meshes/" + id + "/archive", "");

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(body(again).get("archivedAt").asString()).isNotBlank();
        assertThat(events.stream(MeshArchived.class)).containsExactly(new MeshArchived(id));
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.audit_log WHERE mesh_id = ? AND event_type = 'mesh_archived'",
                        Long.class,
                        id))
                .isEqualTo(1);
    }

    @Test
    void membersAreListedAndRevokedOncePublishingMemberRevoked() throws Exception {
        String id = createMesh("with-members").get("id").asString();
        insertMember(id, "member-1", "ab".repeat(32), null);

        JsonNode members = body(adminGet("/api/meshes/" + id + "/members"));
        memberAdministration.revoke(id, "member-1");
        HttpResponse<String> again = adminPost("/api/meshes/" + id + "/members/member-1/revoke", "");

        assertThat(members).hasSize(1);
        assertThat(members.get(0).get("pubkey").asString()).isEqualTo("ab".repeat(32));
        assertThat(members.get(0).has("revokedAt")).isFalse();
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(body(again).get("revokedAt").asString()).isNotBlank();
        assertThat(events.stream(MemberRevoked.class)).containsExactly(new MemberRevoked(id, "member-1"));
        assertThat(directory.findActive(id, "ab".repeat(32))).isEmpty();
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.audit_log WHERE target_peer_id = 'member-1' AND event_type = 'member_revoked'",
                        Long.class))
                .isEqualTo(1);
    }

    @Test
    void revokingAnUnknownMemberAnswers404MemberNotFound() throws Exception {
        String id = createMesh("no-such-member").get("id").asString();

        HttpResponse<String> response = adminPost("/api/meshes/" + id + "/members/ghost/revoke", "");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(problemCode(body(response))).isEqualTo("member_not_found");
        assertThat(events.stream(MemberRevoked.class)).isEmpty();
    }

    private void insertMember(String meshId, String memberId, String pubkey, String revokedAt) {
        jdbc.update(
                "INSERT INTO mesh.member (id, mesh_id, peer_pubkey, display_name, revoked_at) VALUES (?, ?, ?, ?, ?::timestamp)",
                memberId,
                meshId,
                pubkey,
                "peer " + memberId,
                revokedAt);
    }
}
