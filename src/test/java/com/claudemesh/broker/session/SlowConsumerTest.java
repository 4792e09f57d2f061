package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.WsClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A peer that stops reading is closed 1008 slow_consumer; the others keep receiving; nothing is lost. */
class SlowConsumerTest extends LimitedSessionTestBase {

    private static final int MESSAGES = 150;

    @Autowired
    MeterRegistry meters;

    @Test
    void a6_slowConsumerIsClosed_anotherPeerKeepsReceiving_itsEnvelopesStayPending() throws Exception {
        // The limited broker: 4 pushes in flight per session, a 1 s slow-consumer limit.
        double slowClosed = slowConsumerCloses();
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember slow = seeds.member(mesh, "slow");
        MeshSeeds.SeededMember fast = seeds.member(mesh, "fast");
        WsClient alices = online(alice);
        WsClient slows = connectReadingOnly(1);
        String slowPresence = slows.hello(slow, ed25519, WsClient.helloTimestamp(clock))
                .path("presenceId")
                .asString();
        WsClient fasts = online(fast);

        // ~40 KB each: a few MB fill the non-reading peer's TCP buffers within a few dozen pushes.
        String padding = "A".repeat(40_000);
        for (int i = 0; i < MESSAGES; i++) {
            alices.send("b" + i, "*", "now", "bg==", padding + String.format("%04d", i));
        }
        List<JsonNode> acks = alices.collect("ack", MESSAGES, Duration.ofSeconds(30));

        List<JsonNode> fastPushes = fasts.collect("push", MESSAGES, Duration.ofSeconds(30));
        Set<String> fastIds = new HashSet<>();
        fastPushes.forEach(p -> fastIds.add(p.path("messageId").asString()));
        assertThat(fastIds).hasSize(MESSAGES);

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(jdbc.queryForObject(
                                "SELECT disconnected_at IS NOT NULL FROM mesh.presence WHERE id = ?",
                                Boolean.class,
                                slowPresence))
                        .isTrue());
        assertThat(jdbc.queryForObject(
                        "SELECT metadata->>'reason' FROM mesh.audit_log WHERE mesh_id = ? AND event_type = 'session_closed'"
                                + " AND metadata->>'presence_id' = ?",
                        String.class,
                        mesh,
                        slowPresence))
                .isEqualTo("slow_consumer");
        assertThat(slowConsumerCloses() - slowClosed).isEqualTo(1);
        int pending = jdbc.queryForObject(
                "SELECT count(*) FROM mesh.delivery WHERE member_id = ? AND delivered_at IS NULL",
                Integer.class,
                slow.id());
        assertThat(pending).isPositive();

        // The slow member comes back as a healthy reader and gets everything it had not confirmed.
        WsClient again = online(slow);
        List<JsonNode> rest = again.collect("push", pending, Duration.ofSeconds(30));
        assertThat(rest).hasSize(pending);
        assertThat(acks).hasSize(MESSAGES);
    }

    private double slowConsumerCloses() {
        var counter = meters.find("broker.connections.rejected")
                .tags("reason", "slow_consumer")
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
