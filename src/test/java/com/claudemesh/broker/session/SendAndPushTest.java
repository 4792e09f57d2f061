package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.db.Reachability;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.PeerCrypto;
import com.claudemesh.broker.support.WsClient;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** PROTOCOL A.4 sending, A.5 push, A.6 store-and-forward, order and isolation. */
class SendAndPushTest extends SessionTestBase {

    @Autowired
    HikariDataSource pool;

    @Autowired
    Reachability reachability;

    @Test
    void a4_a5_directMessageRoundTripWithCryptoBox() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient bobs = online(bob);

        JsonNode ack = sendDm(alices, alice, bob, "c1", "next", "hello bob, from alice");

        assertThat(ack.propertyNames()).containsExactly("type", "id", "messageId", "queued");
        assertThat(ack.path("type").asString()).isEqualTo("ack");
        assertThat(ack.path("id").asString()).isEqualTo("c1");
        assertThat(ack.path("queued").asBoolean()).isTrue();
        JsonNode push = bobs.next();
        assertThat(push.propertyNames())
                .containsExactly(
                        "type", "messageId", "meshId", "senderPubkey", "priority", "nonce", "ciphertext", "createdAt");
        assertThat(push.path("type").asString()).isEqualTo("push");
        assertThat(push.path("messageId").asString())
                .isEqualTo(ack.path("messageId").asString());
        assertThat(push.path("meshId").asString()).isEqualTo(mesh);
        assertThat(push.path("senderPubkey").asString()).isEqualTo(alice.pubkey());
        assertThat(push.path("priority").asString()).isEqualTo("next");
        assertThat(push.path("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(Instant.parse(push.path("createdAt").asString()))
                .isEqualTo(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(decrypt(push, alice, bob)).isEqualTo("hello bob, from alice");
    }

    @Test
    void a1_aMessageMuchLargerThanTomcatsBufferIsAssembledFromFragments() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient bobs = online(bob);
        String plaintext = "x".repeat(30_000);

        JsonNode ack = sendDm(alices, alice, bob, "big", "now", plaintext);

        assertThat(ack.path("type").asString()).isEqualTo("ack");
        assertThat(decrypt(bobs.next(), alice, bob)).isEqualTo(plaintext);
    }

    @Test
    void a4_ackComesOnlyAfterEnvelopeAndDeliveryAreCommitted() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);

        for (int i = 0; i < 20; i++) {
            JsonNode ack = sendDm(alices, alice, bob, "c" + i, "low", "offline " + i);
            String messageId = ack.path("messageId").asString();
            // Read at once, from another connection: a commit after the ack would show up here.
            Map<String, Object> row = jdbc.queryForMap(
                    "SELECT q.target_spec, q.priority::text AS priority, q.sender_member_id, d.member_id"
                            + " FROM mesh.message_queue q JOIN mesh.delivery d ON d.message_id = q.id WHERE q.id = ?",
                    messageId);
            assertThat(row.get("target_spec")).isEqualTo(bob.pubkey());
            assertThat(row.get("member_id")).isEqualTo(bob.id());
            assertThat(row.get("sender_member_id")).isEqualTo(alice.id());
        }
        assertThat(jdbc.queryForObject(
                        "SELECT metadata->>'target_kind' FROM mesh.audit_log WHERE mesh_id = ?"
                                + " AND event_type = 'message_routed' LIMIT 1",
                        String.class,
                        mesh))
                .isEqualTo("dm");
    }

    @Test
    void a2_targetPubkeyInUppercaseIsStoredLowercase() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);

        alices.send("u1", bob.pubkey().toUpperCase(), "now", "bm9uY2U=", "Y2lwaGVy");
        String messageId = alices.next().path("messageId").asString();

        assertThat(jdbc.queryForObject(
                        "SELECT target_spec FROM mesh.message_queue WHERE id = ?", String.class, messageId))
                .isEqualTo(bob.pubkey());
    }

    @Test
    void a4_refusalsCarryTheRequestIdAndStoreNothing() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        MeshSeeds.SeededMember stranger = seeds.member(seeds.mesh(), "stranger");
        WsClient alices = online(alice);

        alices.sendText(
                "{\"type\":\"send\",\"id\":\"m1\",\"targetSpec\":\"*\",\"priority\":\"now\",\"nonce\":\"bg==\"}");
        assertRefused(alices.next(), "malformed", "m1");
        alices.sendText(
                "{\"type\":\"send\",\"targetSpec\":\"*\",\"priority\":7,\"nonce\":\"bg==\",\"ciphertext\":\"Yw==\"}");
        assertRefused(alices.next(), "malformed", "");
        alices.send("p1", bob.pubkey(), "urgent", "bg==", "Yw==");
        assertRefused(alices.next(), "bad_priority", "p1");
        alices.send("t1", stranger.pubkey(), "now", "bg==", "Yw==");
        assertRefused(alices.next(), "unknown_target", "t1");
        alices.send("t2", "@backend", "now", "bg==", "Yw==");
        assertRefused(alices.next(), "unknown_target", "t2");
        // 33 000 two-byte characters pass the character limit but exceed 65 536 bytes.
        alices.sendJson(Map.of(
                "type", "send",
                "id", "big",
                "targetSpec", bob.pubkey(),
                "priority", "now",
                "nonce", "bg==",
                "ciphertext", "Yw==",
                "note", "é".repeat(33_000)));
        assertRefused(alices.next(), "too_large", "big");

        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.message_queue WHERE mesh_id = ?", Integer.class, mesh))
                .isZero();
    }

    @Test
    void a4_aSendThatFindsNoPooledConnectionIsAnsweredUnavailable_andTheSessionStays() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        List<Connection> held = new ArrayList<>();
        try {
            // Members come from memory, so the send's first database access is its transaction.
            // All but the one the wake-up listener keeps (DeliveryWakeUps), then any left idle.
            while (held.size() < pool.getMaximumPoolSize() - 1) {
                held.add(pool.getConnection());
            }
            while (pool.getHikariPoolMXBean().getIdleConnections() > 0) {
                held.add(pool.getConnection());
            }
            alices.send("c1", "*", "now", "bg==", "Yw==");
            JsonNode error = alices.next(Duration.ofSeconds(30));
            assertThat(error.path("code").asString()).isEqualTo("unavailable");
            assertThat(error.path("id").asString()).isEqualTo("c1");
            assertThat(error.path("message").asString()).contains("nothing was stored");
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }
        // The failure made the database known down; the probe it started answers once the pool frees.
        await().atMost(Duration.ofSeconds(10)).until(() -> !reachability.knownDown());
        alices.send("c2", "*", "now", "bg==", "Yw==");
        assertThat(alices.next(Duration.ofSeconds(30)).path("type").asString()).isEqualTo("ack");
    }

    @Test
    void a6_offlineRecipientReceivesOnConnect_andTheEnvelopeIsMarkedDelivered() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        String messageId = sendDm(alices, alice, bob, "c1", "low", "while you were away")
                .path("messageId")
                .asString();

        WsClient bobs = online(bob);

        JsonNode push = bobs.next();
        assertThat(push.path("messageId").asString()).isEqualTo(messageId);
        assertThat(decrypt(push, alice, bob)).isEqualTo("while you were away");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(jdbc.queryForObject(
                                "SELECT delivered_at IS NOT NULL FROM mesh.message_queue WHERE id = ?",
                                Boolean.class,
                                messageId))
                        .isTrue());
    }

    @Test
    void partC_theEnvelopeItsAuditEventAndThePresencesOfASendHaveTimeOrderedIds() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        online(bob);

        String messageId = sendDm(alices, alice, bob, "c1", "now", "hello")
                .path("messageId")
                .asString();

        // TimeOrderedIds: each new key lands on its index's rightmost page, not a random one.
        List<String> ids = new ArrayList<>();
        ids.add(messageId);
        ids.add(jdbc.queryForObject(
                "SELECT id FROM mesh.audit_log WHERE event_type = 'message_routed' AND metadata->>'message_id' = ?",
                String.class,
                messageId));
        ids.addAll(jdbc.queryForList(
                "SELECT id FROM mesh.presence WHERE member_id IN (?, ?)", String.class, alice.id(), bob.id()));
        assertThat(ids)
                .hasSize(4)
                .allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(7));
    }

    @Test
    void a6_fifoForOneHundredMessagesFromOneSender() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient bobs = online(bob);

        for (int i = 0; i < 100; i++) {
            sendSealed(alices, alice, bob, "f" + i, "n" + i);
        }
        List<JsonNode> pushes = bobs.collect("push", 100, Duration.ofSeconds(20));

        List<String> texts = new ArrayList<>();
        pushes.forEach(push -> texts.add(decrypt(push, alice, bob)));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add("n" + i);
        }
        assertThat(texts).containsExactlyElementsOf(expected);
    }

    @Test
    void a6_sendsArrivingWhileABacklogIsDrainedArriveAfterIt() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        int queued = 300;
        int live = 300;
        for (int i = 0; i < queued; i++) {
            sendSealed(alices, alice, bob, "q" + i, "n" + i);
        }
        alices.collect("ack", queued, Duration.ofSeconds(30));

        // Bob's hello starts the drain of the backlog; the next sends race it and must not go
        // straight to his session ahead of what is still queued.
        WsClient bobs = online(bob);
        for (int i = queued; i < queued + live; i++) {
            sendSealed(alices, alice, bob, "l" + i, "n" + i);
        }
        List<JsonNode> pushes = bobs.collect("push", queued + live, Duration.ofSeconds(30));

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < queued + live; i++) {
            expected.add("n" + i);
        }
        assertThat(pushes.stream().map(push -> decrypt(push, alice, bob)).toList())
                .containsExactlyElementsOf(expected);
    }

    private void sendSealed(
            WsClient client, MeshSeeds.SeededMember from, MeshSeeds.SeededMember to, String id, String text) {
        PeerCrypto.Sealed sealed = crypto.seal(text, to.pubkey(), from.keys().secretKeyHex());
        client.send(id, to.pubkey(), "now", sealed.nonceBase64(), sealed.ciphertextBase64());
    }

    @Test
    void a4_meshesAreIsolated() throws Exception {
        String meshA = seeds.mesh();
        String meshB = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(meshA, "alice");
        MeshSeeds.SeededMember bobA = seeds.member(meshA, "bob");
        MeshSeeds.SeededMember carolB = seeds.member(meshB, "carol");
        WsClient alices = online(alice);
        WsClient bobs = online(bobA);
        WsClient carols = online(carolB);

        alices.send("x1", carolB.pubkey(), "now", "bg==", "Yw==");
        assertRefused(alices.next(), "unknown_target", "x1");
        alices.send("x2", "*", "now", "bg==", "Yw==");
        assertThat(alices.next().path("type").asString()).isEqualTo("ack");

        assertThat(bobs.next().path("type").asString()).isEqualTo("push");
        assertThat(carols.poll(Duration.ofMillis(500))).isNull();
    }

    @Test
    void a4_broadcastReachesEveryOtherMemberExactlyOnce_neverTheSender() throws Exception {
        String mesh = seeds.mesh();
        List<MeshSeeds.SeededMember> members = new ArrayList<>();
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            MeshSeeds.SeededMember member = seeds.member(mesh, "m" + i);
            members.add(member);
        }
        // One of the five is offline at send time and still receives it on connect.
        for (int i = 0; i < 4; i++) {
            clients.add(online(members.get(i)));
        }
        WsClient sender = clients.getFirst();

        sender.send("b1", "*", "next", "bg==", "Yw==");
        JsonNode ack = sender.next();
        String messageId = ack.path("messageId").asString();
        clients.add(online(members.get(4)));

        for (int i = 1; i < 5; i++) {
            JsonNode push = clients.get(i).next();
            assertThat(push.path("messageId").asString()).isEqualTo(messageId);
            assertThat(push.path("senderPubkey").asString())
                    .isEqualTo(members.getFirst().pubkey());
        }
        Thread.sleep(300); // a duplicate or a self-push would arrive in this window
        Set<String> extra = new HashSet<>();
        clients.forEach(c -> c.received().forEach(f -> extra.add(f.toString())));
        assertThat(extra).isEmpty();
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.delivery WHERE message_id = ?", Integer.class, messageId))
                .isEqualTo(4);
        assertThat(jdbc.queryForObject(
                        "SELECT metadata->>'recipient_count' FROM mesh.audit_log WHERE mesh_id = ?"
                                + " AND event_type = 'message_routed'",
                        String.class,
                        mesh))
                .isEqualTo("4");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(jdbc.queryForObject(
                                "SELECT delivered_at IS NOT NULL FROM mesh.message_queue WHERE id = ?",
                                Boolean.class,
                                messageId))
                        .isTrue());
    }

    private static void assertRefused(JsonNode error, String code, String id) {
        assertThat(error.path("type").asString()).isEqualTo("error");
        assertThat(error.path("code").asString()).isEqualTo(code);
        assertThat(error.path("id").asString()).isEqualTo(id);
        assertThat(error.path("message").asString()).isNotBlank();
    }
}
