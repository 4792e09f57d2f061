package com.claudemesh.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.mesh.AdminApiTestBase;
import com.claudemesh.broker.refusal.Conflict;
import com.claudemesh.broker.refusal.InvalidRequest;
import com.claudemesh.broker.refusal.NotFound;
import com.claudemesh.broker.refusal.Unavailable;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/**
 * Every domain refusal of the admin API, answered as the exact problem body it had when the
 * services still threw HTTP exceptions: status, {@code Content-Type}, field order, title, detail,
 * instance and {@code code}, byte for byte.
 */
class AdminRefusalsTest extends AdminApiTestBase {

    private record Case(String method, String path, String body, int status, String code, String detail) {}

    private static final String ROOT_KEY = "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ";

    @BeforeEach
    void meshesInEveryRefusedState() throws Exception {
        truncateAll();
        jdbc.update(
                "INSERT INTO mesh.mesh (id, name, slug, archived_at) VALUES ('pin-archived', 'A', 'pin-archived', now())");
        jdbc.update("INSERT INTO mesh.mesh (id, name, slug) VALUES ('pin-legacy', 'L', 'pin-legacy')");
        // A sealed owner key while this broker has no BROKER_KEY_ENCRYPTION_KEY: removed again after the
        // test, since the next context's start-up key check would refuse this database.
        jdbc.update(
                "INSERT INTO mesh.mesh (id, name, slug, owner_pubkey, owner_secret_key, root_key)"
                        + " VALUES ('pin-sealed', 'S', 'pin-sealed', 'aa', 'enc:v1:AAAA', ?)",
                ROOT_KEY);
        createMesh("pin-taken");
    }

    @AfterEach
    void removeTheSealedRow() {
        truncateAll();
    }

    @Test
    void everyRefusalKeepsItsStatusCodeAndDetail() throws Exception {
        List<Case> cases = List.of(
                post(
                        "/api/meshes",
                        "{\"slug\":\"pin-x\"}",
                        400,
                        "invalid_name",
                        "name is required: at most 200 characters of well-formed Unicode text without NUL characters"),
                post(
                        "/api/meshes",
                        "{\"name\":\"x\",\"slug\":\"pin-x\",\"ownerUserId\":\"a\\u0000b\"}",
                        400,
                        "invalid_owner_user_id",
                        "ownerUserId must be well-formed Unicode text without NUL characters"),
                post(
                        "/api/meshes",
                        "{\"name\":\"x\",\"slug\":\"X\"}",
                        400,
                        "invalid_slug",
                        "slug must be 3 to 48 characters of lowercase letters, digits and '-'"),
                post(
                        "/api/meshes",
                        "{\"name\":\"x\",\"slug\":\"pin-x\",\"visibility\":\"secret\"}",
                        400,
                        "invalid_visibility",
                        "visibility must be private or public"),
                post(
                        "/api/meshes",
                        "{\"name\":\"x\",\"slug\":\"pin-x\",\"transport\":\"carrier-pigeon\"}",
                        400,
                        "invalid_transport",
                        "transport must be managed, tailscale or self_hosted"),
                post(
                        "/api/meshes",
                        "{\"name\":\"x\",\"slug\":\"pin-x\",\"maxPeers\":0}",
                        400,
                        "invalid_max_peers",
                        "maxPeers must be a positive integer"),
                post(
                        "/api/meshes",
                        "{\"name\":\"x\",\"slug\":\"pin-taken\"}",
                        409,
                        "slug_taken",
                        "a mesh with slug 'pin-taken' already exists"),
                post("/api/meshes/nope/archive", "", 404, "mesh_not_found", "no mesh with id 'nope'"),
                post("/api/meshes/nope/members/m/revoke", "", 404, "mesh_not_found", "no mesh with id 'nope'"),
                post(
                        "/api/meshes/pin-archived/members/nobody/revoke",
                        "",
                        404,
                        "member_not_found",
                        "no member with id 'nobody' in mesh 'pin-archived'"),
                post("/api/meshes/nope/invites", "{}", 404, "mesh_not_found", "no mesh with id 'nope'"),
                post("/api/meshes/pin-archived/invites", "{}", 409, "mesh_archived", "mesh 'pin-archived' is archived"),
                post(
                        "/api/meshes/pin-legacy/invites",
                        "{}",
                        409,
                        "mesh_missing_keys",
                        "mesh 'pin-legacy' has no owner keypair or root key: run POST /api/admin/backfill-keys (or java -jar broker.jar --backfill-keys) first"),
                post(
                        "/api/meshes/pin-sealed/invites",
                        "{}",
                        409,
                        "mesh_key_locked",
                        "the owner secret key of mesh 'pin-sealed' is encrypted and cannot be opened with this broker's BROKER_KEY_ENCRYPTION_KEY"),
                post(
                        "/api/meshes/pin-legacy/invites",
                        "{\"role\":\"owner\"}",
                        400,
                        "invalid_role",
                        "role must be member or admin"),
                post(
                        "/api/meshes/pin-legacy/invites",
                        "{\"maxUses\":0}",
                        400,
                        "invalid_max_uses",
                        "maxUses must be between 1 and 1000"),
                post(
                        "/api/meshes/pin-legacy/invites",
                        "{\"expiresInSeconds\":59}",
                        400,
                        "invalid_expires_in",
                        "expiresInSeconds must be between 60 and 7776000"),
                post("/api/invites/nope/revoke", "", 404, "invite_not_found", "no invite with id 'nope'"),
                get("/api/meshes/nope", 404, "mesh_not_found", "no mesh with id 'nope'"),
                get("/api/meshes/nope/members", 404, "mesh_not_found", "no mesh with id 'nope'"),
                get("/api/meshes/nope/invites", 404, "mesh_not_found", "no mesh with id 'nope'"));
        for (Case c : cases) {
            HttpResponse<String> response =
                    c.method().equals("GET") ? adminGet(c.path()) : adminPost(c.path(), c.body());

            assertThat(response.statusCode()).as("%s %s", c.method(), c.path()).isEqualTo(c.status());
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.body())
                    .as("%s %s %s", c.method(), c.path(), c.body())
                    .isEqualTo(problem(c));
        }
    }

    @Test
    void eachKindOfRefusalHasOneStatus() {
        assertThat(AdminProblemHandler.statusOf(new InvalidRequest("invalid_x", "x")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(AdminProblemHandler.statusOf(new NotFound("x_not_found", "x") {}))
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(AdminProblemHandler.statusOf(new Conflict("x_taken", "x") {}))
                .isEqualTo(HttpStatus.CONFLICT);
        assertThat(AdminProblemHandler.statusOf(new Unavailable("x_locked", "x") {}))
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    }

    private static Case post(String path, String body, int status, String code, String detail) {
        return new Case("POST", path, body, status, code, detail);
    }

    private static Case get(String path, int status, String code, String detail) {
        return new Case("GET", path, null, status, code, detail);
    }

    private static String problem(Case c) {
        return "{\"detail\":\"" + c.detail() + "\",\"instance\":\"" + c.path() + "\",\"status\":" + c.status()
                + ",\"title\":\"" + HttpStatus.valueOf(c.status()).getReasonPhrase() + "\",\"code\":\"" + c.code()
                + "\"}";
    }
}
