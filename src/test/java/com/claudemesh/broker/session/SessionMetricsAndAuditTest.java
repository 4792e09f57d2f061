package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** A.12 series move on the session paths; audit events carry metadata only (never nonce/ciphertext). */
class SessionMetricsAndAuditTest extends SessionTestBase {

    @Autowired
    MeterRegistry meters;

    @Test
    void a12_connectionsRejectionsAndRoutedMessagesAreCounted() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        // Sockets of earlier tests end asynchronously; the gauge is compared once they are gone.
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.sockets().isEmpty());
        double opened = counter("broker.connections");
        double active = gauge("broker.connections.active");
        double skewRejected = counter("broker.connections.rejected", "reason", "timestamp_skew");
        double routedLow = counter("broker.messages.routed", "priority", "low");
        double badPriority = counter("broker.messages.rejected", "reason", "bad_priority");

        WsClient alices = online(alice);
        WsClient skewed = connect();
        skewed.sendJson(WsClient.helloFrame(bob, ed25519, clock.millis() - 120_000));
        skewed.awaitClose();
        alices.send("c1", bob.pubkey(), "low", "bg==", "Yw==");
        alices.next();
        alices.send("c2", bob.pubkey(), "soon", "bg==", "Yw==");
        alices.next();

        assertThat(counter("broker.connections")).isEqualTo(opened + 1);
        assertThat(gauge("broker.connections.active")).isEqualTo(active + 1);
        assertThat(counter("broker.connections.rejected", "reason", "timestamp_skew"))
                .isEqualTo(skewRejected + 1);
        assertThat(counter("broker.messages.routed", "priority", "low")).isEqualTo(routedLow + 1);
        assertThat(counter("broker.messages.rejected", "reason", "bad_priority"))
                .isEqualTo(badPriority + 1);

        alices.close();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(gauge("broker.connections.active")).isEqualTo(active));
    }

    @Test
    void auditOfARoutedMessageIsMetadataOnly() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);

        alices.send("c1", bob.pubkey(), "now", "bm9uY2Vub25jZQ==", "c2VjcmV0IGNpcGhlcnRleHQ=");
        String messageId = alices.next().path("messageId").asString();

        Map<String, Object> row = jdbc.queryForMap(
                "SELECT actor_peer_id, target_peer_id, metadata::text AS metadata FROM mesh.audit_log"
                        + " WHERE mesh_id = ? AND event_type = 'message_routed'",
                mesh);
        assertThat(row.get("actor_peer_id")).isEqualTo(alice.id());
        assertThat(row.get("target_peer_id")).isEqualTo(bob.id());
        String metadata = (String) row.get("metadata");
        assertThat(WsClient.JSON.readTree(metadata).propertyNames())
                .containsExactlyInAnyOrder(
                        "sender_member_id",
                        "message_id",
                        "target_kind",
                        "recipient_count",
                        "priority",
                        "ciphertext_bytes");
        assertThat(metadata)
                .contains(messageId)
                .doesNotContain("c2VjcmV0IGNpcGhlcnRleHQ=")
                .doesNotContain("bm9uY2Vub25jZQ==");
    }

    private double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }
}
