package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.WsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * PROTOCOL A.4: a frame holding text the broker cannot hand on is refused before anything is stored
 * or queued, and no frame a member sends stops anyone's deliveries (issue 9's poison DM).
 */
class HostileTextTest extends SessionTestBase {

    private static final Duration QUIET = Duration.ofMillis(300);

    /** A send frame written by hand, so that JSON escapes reach the broker exactly as given. */
    private static String sendFrame(String id, String target, String nonce, String ciphertext) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"targetSpec\":\"" + target
                + "\",\"priority\":\"now\",\"nonce\":\"" + nonce + "\",\"ciphertext\":\"" + ciphertext + "\"}";
    }

    @Test
    void a4_aPoisonDmIsRefused_andItsRecipientKeepsReceiving() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient bobs = online(bob);

        alices.sendText(sendFrame("poison", bob.pubkey(), "\\ud800", "AAAA"));

        JsonNode refusal = alices.next();
        assertThat(refusal.path("type").asString()).isEqualTo("error");
        assertThat(refusal.path("code").asString()).isEqualTo("malformed");
        assertThat(refusal.path("id").asString()).isEqualTo("poison");
        assertThat(bobs.poll(QUIET)).as("nothing reaches bob").isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(sendDm(alices, alice, bob, "after" + i, "now", "still here " + i)
                            .path("type")
                            .asString())
                    .isEqualTo("ack");
            assertThat(decrypt(bobs.next(), alice, bob)).isEqualTo("still here " + i);
        }
        assertThat(storedEnvelopes(mesh)).isEqualTo(3);
    }

    @Test
    void a4_aBroadcastWithALoneSurrogateIsRefused_andEveryMemberKeepsReceiving() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        MeshSeeds.SeededMember carol = seeds.member(mesh, "carol");
        WsClient alices = online(alice);
        WsClient bobs = online(bob);
        WsClient carols = online(carol);

        alices.sendText(sendFrame("b1", "*", "bm9uY2U=", "Y2lw\\udbffaGVy"));
        assertThat(alices.next().path("code").asString()).isEqualTo("malformed");

        alices.send("b2", "*", "now", "bm9uY2U=", "Y2lwaGVy");
        assertThat(alices.next().path("type").asString()).isEqualTo("ack");
        assertThat(bobs.next().path("ciphertext").asString()).isEqualTo("Y2lwaGVy");
        assertThat(carols.next().path("ciphertext").asString()).isEqualTo("Y2lwaGVy");
        assertThat(storedEnvelopes(mesh)).isEqualTo(1);
    }

    @Test
    void a4_aLoneSurrogateInTheIdIsEchoed_andTheSendersSocketKeepsAnswering() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);

        alices.sendText(sendFrame("x\\udc00y", bob.pubkey(), "bm9uY2U=", "Y2lwaGVy"));

        JsonNode refusal = alices.next();
        assertThat(refusal.path("code").asString()).isEqualTo("malformed");
        assertThat(refusal.path("id").asString()).isEqualTo("x\udc00y");
        alices.send("next", bob.pubkey(), "now", "bm9uY2U=", "Y2lwaGVy");
        JsonNode ack = alices.next();
        assertThat(ack.path("type").asString()).isEqualTo("ack");
        assertThat(ack.path("id").asString()).isEqualTo("next");
        assertThat(storedEnvelopes(mesh)).isEqualTo(1);
    }

    @Test
    void a4_aNulInTheIdIsEchoed_inTheAckAndInARefusal() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);

        alices.sendText(sendFrame("a\\u0000b", bob.pubkey(), "bm9uY2U=", "Y2lwaGVy"));
        JsonNode ack = alices.next();
        assertThat(ack.path("type").asString()).isEqualTo("ack");
        assertThat(ack.path("id").asString()).isEqualTo("a\0b");

        alices.sendText(sendFrame("c\\u0000d", bob.pubkey(), "bm9uY2U=", "AA=A"));
        JsonNode refusal = alices.next();
        assertThat(refusal.path("code").asString()).isEqualTo("malformed");
        assertThat(refusal.path("id").asString()).isEqualTo("c\0d");
    }

    @Test
    void a4_aCiphertextOrNonceThatIsNotBase64IsNeverAcked() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient bobs = online(bob);

        for (String[] fields : new String[][] {{"AAAA", "AA=A"}, {"AA=A", "AAAA"}, {"AAAA", "Y2lw aGVy"}}) {
            alices.send("b64", bob.pubkey(), "now", fields[0], fields[1]);
            JsonNode refusal = alices.next();
            assertThat(refusal.path("code").asString())
                    .as("nonce %s ciphertext %s", fields[0], fields[1])
                    .isEqualTo("malformed");
            assertThat(refusal.path("id").asString()).isEqualTo("b64");
        }
        assertThat(bobs.poll(QUIET)).isNull();
        assertThat(storedEnvelopes(mesh)).isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.audit_log WHERE mesh_id = ? AND event_type = 'message_routed'",
                        Integer.class,
                        mesh))
                .isZero();
    }

    @Test
    void a3_aHelloWithALoneSurrogateIsMalformed_closed1008_andNoPresenceIsOpened() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        WsClient client = connect();

        client.sendText(WsClient.JSON.writeValueAsString(hello).replace("/home/test/alice", "/home/\\ud800"));

        JsonNode error = client.next();
        assertThat(error.path("code").asString()).isEqualTo("malformed");
        assertThat(client.awaitClose()).isEqualTo(new WsClient.Closed(1008, "malformed"));
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.presence WHERE member_id = ?", Integer.class, alice.id()))
                .isZero();
    }

    @Test
    void a8_aSetStatusWithALoneSurrogateIsMalformed_andTheStatusStays() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        WsClient alices = online(alice);

        alices.sendText("{\"type\":\"set_status\",\"status\":\"dnd\",\"why\":\"\\ud800\"}");

        assertThat(alices.next().path("code").asString()).isEqualTo("malformed");
        assertThat(jdbc.queryForObject(
                        "SELECT status::text FROM mesh.presence WHERE member_id = ?", String.class, alice.id()))
                .isEqualTo("idle");
    }

    private int storedEnvelopes(String mesh) {
        return jdbc.queryForObject("SELECT count(*) FROM mesh.message_queue WHERE mesh_id = ?", Integer.class, mesh);
    }
}
