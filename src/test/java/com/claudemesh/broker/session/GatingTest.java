package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.presence.PresenceStatusChanged;
import com.claudemesh.broker.presence.Status;
import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import tools.jackson.databind.JsonNode;

/** PROTOCOL A.7 gating by the live session's status, and A.6 "pushed as soon as eligible". */
class GatingTest extends SessionTestBase {

    @Autowired
    ApplicationEventPublisher events;

    @Test
    void a7_workingGetsOnlyNow_heldNextAndLowArriveWhenSetStatusIdle() throws Exception {
        Peers peers = peers();
        setStatus(peers, "working", Status.WORKING);

        List<String> sent = sendNextLowNow(peers);

        JsonNode now = peers.bobs.next();
        assertThat(decrypt(now, peers.alice, peers.bob)).isEqualTo("now");
        assertThat(peers.bobs.poll(Duration.ofMillis(500))).isNull();
        assertThat(sent).hasSize(3);

        peers.bobs.sendText("{\"type\":\"set_status\",\"status\":\"idle\"}");

        List<JsonNode> released = peers.bobs.collect("push", 2, Duration.ofSeconds(5));
        assertThat(released.stream().map(p -> decrypt(p, peers.alice, peers.bob)))
                .containsExactly("next", "low");
    }

    @Test
    void a7_dndGetsOnlyNow() throws Exception {
        Peers peers = peers();
        setStatus(peers, "dnd", Status.DND);

        sendNextLowNow(peers);

        assertThat(decrypt(peers.bobs.next(), peers.alice, peers.bob)).isEqualTo("now");
        assertThat(peers.bobs.poll(Duration.ofMillis(500))).isNull();
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.delivery WHERE member_id = ? AND delivered_at IS NULL",
                        Integer.class,
                        peers.bob.id()))
                .isEqualTo(2);
    }

    @Test
    void a6_heldDeliveriesArriveAtOnceWhenAStatusChangeEventAdmitsThem() throws Exception {
        Peers peers = peers();
        setStatus(peers, "working", Status.WORKING);
        sendNextLowNow(peers);
        assertThat(decrypt(peers.bobs.next(), peers.alice, peers.bob)).isEqualTo("now");
        assertThat(peers.bobs.poll(Duration.ofMillis(300))).isNull();

        // What the presence feature does after a hook or the TTL sweep wrote idle.
        jdbc.update("UPDATE mesh.presence SET status = 'idle', status_source = 'hook' WHERE id = ?", peers.bobPresence);
        events.publishEvent(new PresenceStatusChanged(peers.bobPresence, peers.bob.id(), Status.IDLE));

        List<JsonNode> released = peers.bobs.collect("push", 2, Duration.ofSeconds(5));
        assertThat(released.stream().map(p -> decrypt(p, peers.alice, peers.bob)))
                .containsExactly("next", "low");
    }

    @Test
    void a9_aRealHookHoldsAndThenReleasesDeliveries() throws Exception {
        Peers peers = peersIn("/srv/hook-" + UUID.randomUUID());

        assertThat(hook(peers, "working").body()).contains("\"presence_id\":\"" + peers.bobPresence + "\"");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.byPresence(peers.bobPresence)
                        .map(c -> !c.session().admits(Priority.NEXT))
                        .orElse(false));
        sendNextLowNow(peers);
        assertThat(decrypt(peers.bobs.next(), peers.alice, peers.bob)).isEqualTo("now");
        assertThat(peers.bobs.poll(Duration.ofMillis(300))).isNull();

        assertThat(hook(peers, "idle").statusCode()).isEqualTo(200);

        List<JsonNode> released = peers.bobs.collect("push", 2, Duration.ofSeconds(5));
        assertThat(released.stream().map(p -> decrypt(p, peers.alice, peers.bob)))
                .containsExactly("next", "low");
    }

    @Test
    void a8_theTtlSweepReleasesDeliveriesHeldByAStaleWorkingStatus() throws Exception {
        Peers peers = peersIn("/srv/ttl-" + UUID.randomUUID());
        assertThat(hook(peers, "working").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.byPresence(peers.bobPresence)
                        .map(c -> !c.session().admits(Priority.NEXT))
                        .orElse(false));
        sendNextLowNow(peers);
        assertThat(decrypt(peers.bobs.next(), peers.alice, peers.bob)).isEqualTo("now");

        clock.advance(Duration.ofSeconds(61));

        // The scheduled sweep (every 15 s) writes idle; nothing else happens in between.
        List<JsonNode> released = peers.bobs.collect("push", 2, Duration.ofSeconds(20));
        assertThat(released.stream().map(p -> decrypt(p, peers.alice, peers.bob)))
                .containsExactly("next", "low");
        assertThat(jdbc.queryForObject(
                        "SELECT status::text || '/' || status_source::text FROM mesh.presence WHERE id = ?",
                        String.class,
                        peers.bobPresence))
                .isEqualTo("idle/jsonl");
    }

    @Test
    void a6_mostRecentlyActiveEligibleSessionWins() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient older = online(bob);
        WsClient newer = online(bob);

        sendDm(alices, alice, bob, "1", "next", "to the newer");
        assertThat(decrypt(newer.next(), alice, bob)).isEqualTo("to the newer");

        older.sendText("{\"type\":\"noop\"}");
        assertThat(older.next().path("code").asString()).isEqualTo("unknown_type");
        sendDm(alices, alice, bob, "2", "next", "to the one heard from last");
        assertThat(decrypt(older.next(), alice, bob)).isEqualTo("to the one heard from last");

        // The most recent session is busy: a next goes to the idle one, a now to the busy one.
        older.sendText("{\"type\":\"set_status\",\"status\":\"working\"}");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.sessionsOf(bob.id()).stream().anyMatch(c -> !c.admits(Priority.NEXT)));
        sendDm(alices, alice, bob, "3", "next", "next to the idle one");
        sendDm(alices, alice, bob, "4", "now", "now to the busy one");
        assertThat(decrypt(newer.next(), alice, bob)).isEqualTo("next to the idle one");
        assertThat(decrypt(older.next(), alice, bob)).isEqualTo("now to the busy one");
        assertThat(older.poll(Duration.ofMillis(300))).isNull();
        assertThat(newer.poll(Duration.ofMillis(300))).isNull();
    }

    @Test
    void a8_setStatusWithAnUnknownValueIsMalformed() {
        Peers peers = peers();

        peers.bobs.sendText("{\"type\":\"set_status\",\"status\":\"sleeping\"}");

        assertThat(peers.bobs.next().path("code").asString()).isEqualTo("malformed");
    }

    private record Peers(
            MeshSeeds.SeededMember alice,
            MeshSeeds.SeededMember bob,
            WsClient alices,
            WsClient bobs,
            String bobPresence) {}

    /** Bob connects with his own cwd, so that hooks for that cwd resolve to his presence only. */
    private Peers peersIn(String bobCwd) {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient bobs = connect();
        Map<String, Object> hello = WsClient.helloFrame(bob, ed25519, WsClient.helloTimestamp(clock));
        hello.put("cwd", bobCwd);
        bobs.sendJson(hello);
        String presence = bobs.next().path("presenceId").asString();
        return new Peers(alice, bob, alices, bobs, presence);
    }

    private HttpResponse<String> hook(Peers peers, String status) throws Exception {
        String cwd = jdbc.queryForObject("SELECT cwd FROM mesh.presence WHERE id = ?", String.class, peers.bobPresence);
        return postJson(
                "/hook/set-status",
                "{\"cwd\":\"" + cwd + "\",\"pid\":4242,\"status\":\"" + status + "\",\"session_id\":\"s\"}");
    }

    private Peers peers() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient bobs = connect();
        String presence = bobs.hello(bob, ed25519, WsClient.helloTimestamp(clock))
                .path("presenceId")
                .asString();
        return new Peers(alice, bob, alices, bobs, presence);
    }

    private void setStatus(Peers peers, String wire, Status status) {
        peers.bobs.sendText("{\"type\":\"set_status\",\"status\":\"" + wire + "\"}");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.byPresence(peers.bobPresence)
                        .map(c -> !c.session().admits(Priority.NEXT))
                        .orElse(false));
        assertThat(jdbc.queryForObject(
                        "SELECT status::text || '/' || status_source::text FROM mesh.presence WHERE id = ?",
                        String.class,
                        peers.bobPresence))
                .isEqualTo(status.wire() + "/manual");
    }

    private List<String> sendNextLowNow(Peers peers) {
        return List.of("next", "low", "now").stream()
                .map(priority -> sendDm(peers.alices, peers.alice, peers.bob, priority, priority, priority)
                        .path("messageId")
                        .asString())
                .toList();
    }
}
