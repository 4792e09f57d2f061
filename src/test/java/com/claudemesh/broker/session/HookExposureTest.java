package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import com.claudemesh.broker.support.WsClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Who may call {@code POST /hook/set-status} (issue 12.3; docs/status-model.md, "Who may call the
 * hook"). On the limited broker tokenless calls are taken only from {@code HOOK_ALLOWED_CIDRS}
 * (the loopback and 198.51.100.0/24); a call with a session's hook token, which its {@code
 * hello_ack} carries, from anywhere — and it touches that session only.
 */
class HookExposureTest extends LimitedSessionTestBase {

    private static final String ALLOWED = "198.51.100.7";
    private static final String OUTSIDE = "203.0.113.9";

    @Autowired
    MeterRegistry meters;

    @Test
    void aTokenlessCallIsTakenOnlyFromHookAllowedCidrs() throws Exception {
        Peer alice = peer();
        double refused = refusals("address_not_allowed");

        HttpResponse<String> outside = hook(port, alice.call("working", null), OUTSIDE);

        assertThat(outside.statusCode()).isEqualTo(403);
        assertThat(json(outside))
                .isEqualTo(json("{\"ok\":false,\"error\":\"hook calls from this address need the session's hook"
                        + " token (HOOK_ALLOWED_CIDRS)\"}"));
        assertThat(statusOf(alice.presenceId())).isEqualTo("idle/jsonl");
        assertThat(pendingFor(alice.cwd())).as("not kept for later either").isZero();
        assertThat(refusals("address_not_allowed")).isEqualTo(refused + 1);

        HttpResponse<String> allowed = hook(port, alice.call("working", null), ALLOWED);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(statusOf(alice.presenceId())).isEqualTo("working/hook");
    }

    @Test
    void aCallWithASessionsTokenIsTakenFromAnywhere_andTouchesThatSessionOnly() throws Exception {
        MeshSeeds.SeededMember member = seeds.member(seeds.mesh(), "hook-" + UUID.randomUUID());
        Peer older = peer(member);
        // Same member, pid and cwd: a tokenless call would pick this newer one (A.9).
        Peer newer = peer(member);

        HttpResponse<String> reply = hook(port, older.call("working", older.hookToken()), OUTSIDE);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(json(reply)).isEqualTo(json("{\"ok\":true,\"presence_id\":\"" + older.presenceId() + "\"}"));
        assertThat(statusOf(older.presenceId())).isEqualTo("working/hook");
        assertThat(statusOf(newer.presenceId())).isEqualTo("idle/jsonl");
    }

    @Test
    void aTokenOfNoLiveSessionIsRefused_andNothingIsStored() throws Exception {
        Peer alice = peer();
        Peer gone = peer();
        gone.socket().close();
        awaitPresenceClosedFor(gone.member());
        double refused = refusals("bad_token");

        for (String token : new String[] {gone.hookToken(), "made-up", alice.hookToken() + "x", ""}) {
            HttpResponse<String> reply = hook(port, alice.call("dnd", token), ALLOWED);
            assertThat(reply.statusCode()).as(token).isEqualTo(403);
            assertThat(json(reply))
                    .isEqualTo(json("{\"ok\":false,\"error\":\"the hook token belongs to no live session\"}"));
        }

        assertThat(statusOf(alice.presenceId())).isEqualTo("idle/jsonl");
        assertThat(pendingFor(alice.cwd())).isZero();
        assertThat(refusals("bad_token")).isEqualTo(refused + 4);
    }

    @Test
    void aTokenThatIsNoStringIs400() throws Exception {
        Peer alice = peer();

        HttpResponse<String> reply =
                hook(port, "{\"cwd\":\"" + alice.cwd() + "\",\"pid\":4242,\"status\":\"dnd\",\"token\":7}", ALLOWED);

        assertThat(reply.statusCode()).isEqualTo(400);
        assertThat(json(reply)).isEqualTo(json("{\"ok\":false,\"error\":\"token must be a string\"}"));
        assertThat(statusOf(alice.presenceId())).isEqualTo("idle/jsonl");
    }

    @Test
    void withHookRequireToken_aTokenlessCallIsTakenFromTheLoopbackOnly() throws Exception {
        try (StandaloneBroker strict = StandaloneBroker.start(
                TestDatabase.shared(), "broker.hook-require-token=true", "broker.trusted-proxies=127.0.0.1/32")) {
            Peer alice = peer(seeds.member(seeds.mesh(), "hook-" + UUID.randomUUID()), strict.port());

            HttpResponse<String> remote = hook(strict.port(), alice.call("working", null), ALLOWED);
            assertThat(remote.statusCode()).isEqualTo(403);
            assertThat(json(remote))
                    .isEqualTo(json("{\"ok\":false,\"error\":\"hook calls need the session's hook token"
                            + " (HOOK_REQUIRE_TOKEN)\"}"));
            assertThat(statusOf(alice.presenceId())).isEqualTo("idle/jsonl");

            assertThat(hook(strict.port(), alice.call("working", null), null).statusCode())
                    .as("the hook script on the broker's own machine")
                    .isEqualTo(200);
            assertThat(statusOf(alice.presenceId())).isEqualTo("working/hook");

            assertThat(hook(strict.port(), alice.call("dnd", alice.hookToken()), OUTSIDE)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(statusOf(alice.presenceId())).isEqualTo("dnd/hook");
        }
    }

    /** A live session and what its hello_ack gave it. */
    private record Peer(MeshSeeds.SeededMember member, WsClient socket, String presenceId, String hookToken) {

        String cwd() {
            return "/home/test/" + member.displayName();
        }

        String call(String status, String token) {
            return "{\"cwd\":\"" + cwd() + "\",\"pid\":4242,\"status\":\"" + status + "\""
                    + (token == null ? "" : ",\"token\":\"" + token + "\"") + "}";
        }
    }

    /** A member of its own, so that its cwd is no other test's. */
    private Peer peer() {
        return peer(seeds.member(seeds.mesh(), "hook-" + UUID.randomUUID()));
    }

    private Peer peer(MeshSeeds.SeededMember member) {
        return peer(member, port);
    }

    private Peer peer(MeshSeeds.SeededMember member, int brokerPort) {
        WsClient socket = brokerPort == port ? connect() : connect(brokerPort);
        JsonNode ack = socket.hello(member, ed25519, WsClient.helloTimestamp(clock));
        return new Peer(
                member,
                socket,
                ack.path("presenceId").asString(),
                ack.path("hookToken").asString());
    }

    /** A hook call, forwarded for {@code from} by the trusted proxy (null: straight from the loopback). */
    private HttpResponse<String> hook(int brokerPort, String body, String from) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + brokerPort + "/hook/set-status"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (from != null) {
            request.header("X-Forwarded-For", from);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String statusOf(String presenceId) {
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT status::text AS status, status_source::text AS source FROM mesh.presence WHERE id = ?",
                presenceId);
        return row.get("status") + "/" + row.get("source");
    }

    private int pendingFor(String cwd) {
        return jdbc.queryForObject("SELECT count(*) FROM mesh.pending_status WHERE cwd = ?", Integer.class, cwd);
    }

    private double refusals(String reason) {
        return meters.get("broker.hook.requests.refused")
                .tag("reason", reason)
                .counter()
                .count();
    }

    private static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    private static JsonNode json(String text) {
        return WsClient.JSON.readTree(text);
    }
}
