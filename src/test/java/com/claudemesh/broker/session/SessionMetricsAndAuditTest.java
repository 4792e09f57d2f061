package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.WsClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    void deliveryAndAckLatenciesAndGroupCommitBatchSizesAreRecorded() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        MeshSeeds.SeededMember carol = seeds.member(mesh, "carol");
        long direct = timerCount("direct");
        long queued = timerCount("queued");
        long acks = meters.get("broker.send.ack.latency").timer().count();
        double envelopeBatches = batchItems("envelope-writer");
        WsClient alices = online(alice);
        WsClient bobs = online(bob);

        // Bob is online: each delivery is claimed for his session in its insert and pushed from
        // memory — the first by his drain (he was not quiet yet), the second straight after its commit.
        for (String id : List.of("d1", "d2")) {
            assertThat(sendDm(alices, alice, bob, id, "now", "hello " + id)
                            .path("type")
                            .asString())
                    .isEqualTo("ack");
            bobs.collect("push", 1, Duration.ofSeconds(10));
        }
        // Carol is offline: her delivery waits in the queue until she connects.
        sendDm(alices, alice, carol, "d3", "now", "later");
        WsClient carols = online(carol);
        carols.collect("push", 1, Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(timerCount("direct") - direct).isEqualTo(2);
            assertThat(timerCount("queued") - queued).isEqualTo(1);
        });
        assertThat(meters.get("broker.send.ack.latency").timer().count() - acks).isEqualTo(3);
        assertThat(batchItems("envelope-writer") - envelopeBatches).isEqualTo(3);
        assertThat(meters.get("broker.delivery.latency")
                        .tag("path", "direct")
                        .timer()
                        .max(TimeUnit.SECONDS))
                .isBetween(0.0, 10.0);
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

    private long timerCount(String path) {
        return meters.get("broker.delivery.latency").tag("path", path).timer().count();
    }

    private double batchItems(String queue) {
        return meters.get("broker.group.commit.batch.size")
                .tag("queue", queue)
                .summary()
                .totalAmount();
    }

    private double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }
}
