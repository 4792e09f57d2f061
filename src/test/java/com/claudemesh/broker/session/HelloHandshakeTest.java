package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.WsClient;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** PROTOCOL A.1 transport rules and the A.3 handshake: six checks in order, ack, no_hello, timeout. */
class HelloHandshakeTest extends SessionTestBase {

    @Test
    void a3_validHelloIsAcknowledgedWithPresenceAndDisplayName_andCreatesAnIdlePresence() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");

        WsClient client = connect();
        JsonNode ack = client.hello(alice, ed25519, WsClient.helloTimestamp(clock));

        assertThat(ack.propertyNames()).containsExactly("type", "presenceId", "memberDisplayName", "hookToken");
        // 32 random bytes, base64url; only its hash is stored.
        assertThat(ack.path("hookToken").asString()).matches("[A-Za-z0-9_-]{43}");
        assertThat(ack.path("memberDisplayName").asString()).isEqualTo("alice");
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT member_id, status::text AS status, status_source::text AS source, pid, cwd, disconnected_at"
                        + " FROM mesh.presence WHERE id = ?",
                ack.path("presenceId").asString());
        assertThat(row.get("member_id")).isEqualTo(alice.id());
        assertThat(row.get("status")).isEqualTo("idle");
        assertThat(row.get("pid")).isEqualTo(4242);
        assertThat(row.get("disconnected_at")).isNull();
        assertThat(auditCount(mesh, "session_opened")).isEqualTo(1);
    }

    @Test
    void a3_hexOfEitherCaseIsAccepted() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        String upper = alice.pubkey().toUpperCase();
        long ts = clock.millis();
        hello.put("pubkey", upper);
        hello.put("timestamp", ts);
        hello.put(
                "signature",
                ed25519.sign(
                                mesh + "|" + alice.id() + "|" + upper + "|" + ts,
                                alice.keys().secretKeyHex())
                        .toUpperCase());

        WsClient client = connect();
        client.sendJson(hello);

        assertThat(client.next().path("type").asString()).isEqualTo("hello_ack");
    }

    @Test
    void a3_check1_malformedHelloIsRefusedAndClosed1008() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        hello.put("pubkey", "abc");

        assertRejected(hello, "malformed");
    }

    @Test
    void a3_check1_pidOfTheWrongTypeIsMalformed() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        hello.put("pid", "123");

        assertRejected(hello, "malformed");
    }

    @Test
    void a3_check1_aCwdPostgresCannotStoreIsMalformed() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        Map<String, Object> withNul = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        withNul.put("cwd", "/home/a\u0000/proj");
        assertRejected(withNul, "malformed");

        Map<String, Object> tooLong = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        tooLong.put("cwd", "/" + "x".repeat(Presences.MAX_CWD_BYTES));
        assertRejected(tooLong, "malformed");
    }

    @Test
    void a3_check3_timestampMoreThan60sAwayIsSkew() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");

        assertRejected(WsClient.helloFrame(alice, ed25519, clock.millis() - 61_000), "timestamp_skew");
        assertRejected(WsClient.helloFrame(alice, ed25519, clock.millis() + 61_000), "timestamp_skew");
        WsClient edge = connect();
        edge.hello(alice, ed25519, clock.millis() - 60_000);
    }

    @Test
    void a3_check4_signatureByAnotherKeyIsBadSignature() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember mallory = seeds.member(mesh, "mallory");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        hello.put(
                "signature",
                ed25519.sign(
                        mesh + "|" + alice.id() + "|" + alice.pubkey() + "|" + hello.get("timestamp"),
                        mallory.keys().secretKeyHex()));

        assertRejected(hello, "bad_signature");
        assertThat(jdbc.queryForObject(
                        "SELECT metadata->>'pubkey_prefix' FROM mesh.audit_log WHERE mesh_id = ? AND event_type = 'hello_rejected'",
                        String.class,
                        mesh))
                .isEqualTo(alice.pubkey().substring(0, 12));
    }

    @Test
    void a3_check5_memberIdMustBelongToThePubkey() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        long ts = (long) hello.get("timestamp");
        hello.put("memberId", bob.id());
        hello.put(
                "signature",
                ed25519.sign(
                        mesh + "|" + bob.id() + "|" + alice.pubkey() + "|" + ts,
                        alice.keys().secretKeyHex()));

        assertRejected(hello, "unauthorized");
    }

    @Test
    void a3_check5_revokedMemberAndArchivedMeshAreUnauthorized() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember revoked = seeds.member(mesh, "revoked");
        seeds.revoke(revoked);
        assertRejected(WsClient.helloFrame(revoked, ed25519, WsClient.helloTimestamp(clock)), "unauthorized");

        String archived = seeds.mesh();
        MeshSeeds.SeededMember member = seeds.member(archived, "member");
        seeds.archive(archived);
        assertRejected(WsClient.helloFrame(member, ed25519, WsClient.helloTimestamp(clock)), "unauthorized");
    }

    @Test
    void a3_check6_theSameHelloAgainIsReplayed_whileItsSessionIsOpenAndAfter() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        WsClient first = connect();
        first.sendJson(hello);
        assertThat(first.next().path("type").asString()).isEqualTo("hello_ack");

        assertRejected(hello, "replayed");
        first.close();
        awaitPresenceClosedFor(alice);
        assertRejected(hello, "replayed");

        assertThat(presencesOf(alice)).isEqualTo(1);
        assertThat(jdbc.queryForList(
                        "SELECT metadata->>'code' FROM mesh.audit_log WHERE mesh_id = ? AND event_type = 'hello_rejected'",
                        String.class,
                        mesh))
                .containsExactly("replayed", "replayed");
    }

    @Test
    void a3_check6_aReplayWithItsSignatureInOtherHexCaseIsTheSameHello() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        WsClient first = connect();
        first.sendJson(hello);
        assertThat(first.next().path("type").asString()).isEqualTo("hello_ack");

        hello.put("signature", ((String) hello.get("signature")).toUpperCase());
        hello.put("pubkey", alice.pubkey().toUpperCase());
        hello.put(
                "signature",
                ed25519.sign(
                                alice.meshId() + "|" + alice.id() + "|"
                                        + alice.pubkey().toUpperCase() + "|" + hello.get("timestamp"),
                                alice.keys().secretKeyHex())
                        .toUpperCase());
        // Another signed text (the pubkey's case is part of it), but the same member at the same
        // instant: one hello, so a replay.
        assertRejected(hello, "replayed");
        assertThat(presencesOf(alice)).isEqualTo(1);
    }

    @Test
    void a3_check6_theSameMemberWithANewTimestampIsWelcome() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        long at = clock.millis();

        connect().hello(alice, ed25519, at);
        connect().hello(alice, ed25519, at + 1);

        assertThat(presencesOf(alice)).isEqualTo(2);
    }

    @Test
    void a3_check6_copiesOfOneHelloSentAtOnceOpenOneSession() throws Exception {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        List<WsClient> sockets = IntStream.range(0, 8).mapToObj(i -> connect()).toList();

        sockets.parallelStream().forEach(socket -> socket.sendJson(hello));

        List<String> replies = sockets.stream()
                .map(WsClient::next)
                .map(reply -> reply.path("type").asString().equals("error")
                        ? reply.path("code").asString()
                        : reply.path("type").asString())
                .toList();
        assertThat(replies).containsOnly("hello_ack", "replayed").containsOnlyOnce("hello_ack");
        assertThat(presencesOf(alice)).isEqualTo(1);
    }

    @Test
    void a3_check6_aSeenHelloIsKeptUntilCheck3RefusesItAnyway_thenForgotten(@Autowired SeenHellos seen) {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        long at = clock.millis();
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, at);
        WsClient first = connect();
        first.sendJson(hello);
        assertThat(first.next().path("type").asString()).isEqualTo("hello_ack");

        clock.advance(Duration.ofSeconds(61));
        assertRejected(hello, "timestamp_skew");
        seen.purge();
        assertThat(seenHellosOf(alice)).as("kept for twice the skew window").isEqualTo(1);

        clock.advance(Duration.ofSeconds(60));
        seen.purge();
        assertThat(seenHellosOf(alice)).isZero();
    }

    private int presencesOf(MeshSeeds.SeededMember member) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM mesh.presence WHERE member_id = ?", Integer.class, member.id());
    }

    private int seenHellosOf(MeshSeeds.SeededMember member) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM mesh.hello_seen WHERE member_id = ?", Integer.class, member.id());
    }

    @Test
    void a3_framesBeforeHelloGetNoHelloAndTheSocketStays() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        WsClient client = connect();

        client.sendText("{\"type\":\"send\",\"id\":\"c1\",\"targetSpec\":\"*\",\"priority\":\"now\"}");
        assertThat(client.next().toString())
                .isEqualTo("{\"type\":\"error\",\"code\":\"no_hello\",\"message\":\"must send hello first\"}");
        client.sendText("not json");
        assertThat(client.next().path("code").asString()).isEqualTo("no_hello");

        client.hello(alice, ed25519, WsClient.helloTimestamp(clock));
    }

    @Test
    void a3_secondHelloIsAlreadyAuthenticatedAndTheSocketStays() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        WsClient client = online(alice);

        client.sendJson(WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock)));

        JsonNode error = client.next();
        assertThat(error.path("type").asString()).isEqualTo("error");
        assertThat(error.path("code").asString()).isEqualTo("already_authenticated");
        client.send("c1", "*", "now", "bm9uY2U=", "Y2lwaGVy");
        assertThat(client.next().path("type").asString()).isEqualTo("ack");
    }

    @Test
    void a3_noHelloWithin10sClosesWith1008HelloTimeout() {
        WsClient client = connect();
        // The reply proves the broker has the socket (and its connect time) before the clock moves.
        client.sendText("{\"type\":\"set_status\",\"status\":\"idle\"}");
        assertThat(client.next().path("code").asString()).isEqualTo("no_hello");
        clock.advance(Duration.ofSeconds(9));
        assertThat(client.isClosed()).isFalse();

        clock.advance(Duration.ofSeconds(2));

        WsClient.Closed closed = client.awaitClose();
        assertThat(closed).isEqualTo(new WsClient.Closed(1008, "hello_timeout"));
    }

    @Test
    void partB_invalidJsonAndUnknownTypeAfterHelloAreErrorsWithoutClosing() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        WsClient client = online(alice);

        client.sendText("{oops");
        assertThat(client.next().path("code").asString()).isEqualTo("malformed");
        client.sendText("{\"type\":\"teleport\"}");
        JsonNode unknown = client.next();
        assertThat(unknown.path("code").asString()).isEqualTo("unknown_type");
        assertThat(unknown.has("id")).isFalse();

        client.send("c2", "*", "low", "bm9uY2U=", "Y2lwaGVy");
        assertThat(client.next().path("type").asString()).isEqualTo("ack");
    }

    @Test
    void a1_binaryFrameClosesWith1003() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        WsClient client = online(alice);

        client.sendBinary(new byte[] {1, 2, 3});

        assertThat(client.awaitClose().code()).isEqualTo(1003);
    }

    @Test
    void a1_aLargeBinaryFrameAlsoClosesWith1003() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        WsClient client = online(alice);

        client.sendBinary(new byte[40_000]);

        assertThat(client.awaitClose().code()).isEqualTo(1003);
    }

    @Test
    void a1_anOversizedFrameBeforeHelloClosesWith1009() {
        WsClient client = connect();

        client.sendText("{\"type\":\"hello\",\"pad\":\"" + "a".repeat(properties.maxMessageBytes()) + "\"}");

        assertThat(client.awaitClose().code()).isEqualTo(1009);
    }

    @Test
    void a1_frameLargerThanMaxMessageBytesClosesWith1009() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        WsClient client = online(alice);

        client.sendText("{\"type\":\"x\",\"pad\":\"" + "a".repeat(properties.maxMessageBytes()) + "\"}");

        assertThat(client.awaitClose().code()).isEqualTo(1009);
    }

    @Test
    void a3_closingMarksThePresenceDisconnectedAndAuditsTheReason() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        WsClient client = connect();
        String presenceId = client.hello(alice, ed25519, WsClient.helloTimestamp(clock))
                .path("presenceId")
                .asString();

        client.close();

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(jdbc.queryForObject(
                                "SELECT disconnected_at IS NOT NULL FROM mesh.presence WHERE id = ?",
                                Boolean.class,
                                presenceId))
                        .isTrue());
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(jdbc.queryForObject(
                                "SELECT metadata->>'reason' FROM mesh.audit_log WHERE mesh_id = ? AND event_type = 'session_closed'",
                                String.class,
                                mesh))
                        .isEqualTo("client_closed"));
    }

    @Test
    void aSessionNeverOpensUnaudited_aFailedAuditRollsThePresenceBack() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        jdbc.execute("CREATE FUNCTION mesh.test_refuse_session_opened() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.mesh_id = '" + mesh + "' AND NEW.event_type = 'session_opened'"
                + " THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$");
        jdbc.execute("CREATE TRIGGER test_refuse_session_opened BEFORE INSERT ON mesh.audit_log"
                + " FOR EACH ROW EXECUTE FUNCTION mesh.test_refuse_session_opened()");
        try {
            WsClient client = connect();
            client.sendJson(WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock)));

            assertThat(client.next().path("code").asString()).isEqualTo("internal_error");
            assertThat(client.awaitClose().code()).isEqualTo(1011);
        } finally {
            jdbc.execute("DROP TRIGGER test_refuse_session_opened ON mesh.audit_log");
            jdbc.execute("DROP FUNCTION mesh.test_refuse_session_opened()");
        }
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.presence WHERE member_id = ?", Integer.class, alice.id()))
                .isZero();
        assertThat(online(alice)).isNotNull();
        assertThat(auditCount(mesh, "session_opened")).isEqualTo(1);
    }

    @Test
    void hellosArrivingTogetherOpenTogether_andOneThatCannotBeStoredFailsAlone() throws Exception {
        String mesh = seeds.mesh();
        List<MeshSeeds.SeededMember> members = IntStream.range(0, 12)
                .mapToObj(i -> seeds.member(mesh, "peer-" + i))
                .toList();
        MeshSeeds.SeededMember refused = members.getLast();
        jdbc.execute("CREATE FUNCTION mesh.test_refuse_one_session() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.actor_peer_id = '" + refused.id() + "' AND NEW.event_type = 'session_opened'"
                + " THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$");
        jdbc.execute("CREATE TRIGGER test_refuse_one_session BEFORE INSERT ON mesh.audit_log"
                + " FOR EACH ROW EXECUTE FUNCTION mesh.test_refuse_one_session()");
        List<WsClient> clients;
        try {
            // While the audit table is held, the first hellos wait in their transaction and the others
            // queue up behind them: they are stored as one batch, the refused one among them.
            try (java.sql.Connection holder = jdbc.getDataSource().getConnection()) {
                holder.setAutoCommit(false);
                try (Statement statement = holder.createStatement()) {
                    statement.execute("LOCK TABLE mesh.audit_log IN SHARE MODE");
                }
                clients = members.stream()
                        .map(member -> {
                            WsClient client = connect();
                            client.sendJson(WsClient.helloFrame(member, ed25519, WsClient.helloTimestamp(clock)));
                            return client;
                        })
                        .toList();
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> jdbc.queryForObject(
                                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                                + " AND query LIKE 'INSERT INTO mesh.audit_log%'",
                                        Integer.class)
                                > 0);
                Thread.sleep(300);
                holder.commit();
            }
            for (int i = 0; i < members.size(); i++) {
                JsonNode reply = clients.get(i).next();
                if (members.get(i) == refused) {
                    assertThat(reply.path("code").asString()).isEqualTo("internal_error");
                    assertThat(clients.get(i).awaitClose().code()).isEqualTo(1011);
                } else {
                    assertThat(reply.path("type").asString()).isEqualTo("hello_ack");
                }
            }
        } finally {
            jdbc.execute("DROP TRIGGER test_refuse_one_session ON mesh.audit_log");
            jdbc.execute("DROP FUNCTION mesh.test_refuse_one_session()");
        }
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.presence p JOIN mesh.member m ON m.id = p.member_id"
                                + " WHERE m.mesh_id = ? AND p.disconnected_at IS NULL",
                        Integer.class,
                        mesh))
                .isEqualTo(members.size() - 1);
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.presence WHERE member_id = ?", Integer.class, refused.id()))
                .isZero();
        assertThat(auditCount(mesh, "session_opened")).isEqualTo(members.size() - 1);
    }

    private void assertRejected(Map<String, Object> hello, String code) {
        WsClient client = connect();
        client.sendJson(hello);
        JsonNode error = client.next();
        assertThat(error.path("type").asString()).isEqualTo("error");
        assertThat(error.path("code").asString()).isEqualTo(code);
        assertThat(error.path("message").asString()).isNotBlank();
        assertThat(client.awaitClose()).isEqualTo(new WsClient.Closed(1008, code));
    }

    private int auditCount(String mesh, String type) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM mesh.audit_log WHERE mesh_id = ? AND event_type = ?", Integer.class, mesh, type);
    }
}
