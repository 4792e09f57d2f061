package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.LimitedBroker;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.WsClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The limits a client meets (PROTOCOL A.3 capacity and "over its socket limits", A.4 send rate,
 * issue 12): each refuses what is over it with the documented code and counts it, and nothing else.
 */
class ConnectionLimitsTest extends LimitedSessionTestBase {

    @Autowired
    MeterRegistry meters;

    private double rejected(String reason) {
        return meters.get("broker.connections.rejected")
                .tag("reason", reason)
                .counter()
                .count();
    }

    private void noSocketsLeft() {
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.sockets().isEmpty());
    }

    private void assertRefusedHello(WsClient client, Map<String, Object> hello, String code, int closeCode) {
        client.sendJson(hello);
        JsonNode error = client.next();
        assertThat(error.path("code").asString()).isEqualTo(code);
        assertThat(client.awaitClose()).isEqualTo(new WsClient.Closed(closeCode, code));
    }

    @Test
    void a3_check2_capacityCountsLiveSessionsOfTheMesh() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        online(alice);
        WsClient bobs = online(bob);
        for (int i = 2; i < LimitedBroker.MAX_CONNECTIONS_PER_MESH; i++) {
            online(seeds.member(mesh, "m" + i));
        }
        // Another mesh is not affected by this one's count.
        online(seeds.member(seeds.mesh(), "carol"));

        assertRefusedHello(
                connect(), WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock)), "capacity", 1008);

        bobs.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            WsClient again = connect();
            again.sendJson(WsClient.helloFrame(bob, ed25519, WsClient.helloTimestamp(clock)));
            assertThat(again.next().path("type").asString()).isEqualTo("hello_ack");
        });
    }

    @Test
    void a3_checksRunInOrder_capacityBeforeSkewBeforeSignature() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        online(alice);
        WsClient bobs = online(seeds.member(mesh, "bob"));
        for (int i = 2; i < LimitedBroker.MAX_CONNECTIONS_PER_MESH; i++) {
            online(seeds.member(mesh, "m" + i));
        }
        Map<String, Object> skewedAndBadlySigned = WsClient.helloFrame(alice, ed25519, clock.millis() - 120_000);
        skewedAndBadlySigned.put("signature", "0".repeat(128));

        assertRefusedHello(connect(), skewedAndBadlySigned, "capacity", 1008);
        bobs.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            WsClient again = connect();
            again.sendJson(skewedAndBadlySigned);
            assertThat(again.next().path("code").asString()).isEqualTo("timestamp_skew");
        });
    }

    @Test
    void a4_sendRateIsLimitedPerMember() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        double framesRefused =
                meters.get("broker.frames.rate.limited").counter().count();

        for (int i = 0; i < LimitedBroker.SEND_BURST; i++) {
            alices.send("r" + i, bob.pubkey(), "now", "bg==", "Yw==");
        }
        assertThat(alices.collect("ack", LimitedBroker.SEND_BURST, Duration.ofSeconds(30)))
                .hasSize(LimitedBroker.SEND_BURST);
        alices.send("over", bob.pubkey(), "now", "bg==", "Yw==");
        JsonNode refusal = alices.next();
        assertThat(refusal.path("code").asString()).isEqualTo("rate_limited");
        assertThat(refusal.path("id").asString()).isEqualTo("over");

        // 600 per minute: a tenth of a second brings one send back.
        clock.advance(Duration.ofMillis(100));
        alices.send("again", bob.pubkey(), "now", "bg==", "Yw==");
        assertThat(alices.next().path("type").asString()).isEqualTo("ack");
        assertThat(meters.get("broker.frames.rate.limited").counter().count()).isEqualTo(framesRefused);
    }

    @Test
    void maxSockets_aSocketOverTheLimitIsClosed1013BeforeAnyWork() {
        noSocketsLeft();
        double before = rejected("max_sockets");
        List<WsClient> held = new ArrayList<>();
        for (int i = 0; i < LimitedBroker.MAX_SOCKETS; i++) {
            held.add(connect());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.sockets().size() == LimitedBroker.MAX_SOCKETS);

        WsClient over = connect();

        assertThat(over.awaitClose()).isEqualTo(new WsClient.Closed(1013, "try_again_later"));
        assertThat(rejected("max_sockets")).isEqualTo(before + 1);
        held.getFirst().close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            WsClient later = connect();
            later.sendText("{\"type\":\"list_peers\"}");
            assertThat(later.next().path("code").asString()).isEqualTo("no_hello");
        });
    }

    @Test
    void maxPendingSocketsPerIp_onlyUnauthenticatedSocketsOfOneAddressCount() {
        String address = "192.0.2.10";
        double before = rejected("pending_per_ip");
        String mesh = seeds.mesh();
        List<WsClient> waiting = new ArrayList<>();
        for (int i = 0; i < LimitedBroker.PENDING_SOCKETS_PER_IP; i++) {
            waiting.add(connectAs(address));
        }

        assertThat(connectAs(address).awaitClose()).isEqualTo(new WsClient.Closed(1013, "try_again_later"));
        assertThat(rejected("pending_per_ip")).isEqualTo(before + 1);
        // Another address is not affected; and a socket that says hello no longer counts.
        WsClient other = connectAs("192.0.2.11");
        other.sendText("{\"type\":\"list_peers\"}");
        assertThat(other.next().path("code").asString()).isEqualTo("no_hello");
        waiting.getFirst().hello(seeds.member(mesh, "alice"), ed25519, WsClient.helloTimestamp(clock));
        WsClient next = connectAs(address);
        next.sendText("{\"type\":\"list_peers\"}");
        assertThat(next.next().path("code").asString()).isEqualTo("no_hello");
    }

    @Test
    void helloRatePerIp_helloesOverTheRateAreRefused1013() {
        String address = "192.0.2.20";
        double before = rejected("hello_rate");
        String mesh = seeds.mesh();
        for (int i = 0; i < LimitedBroker.HELLOS_PER_MINUTE; i++) {
            WsClient client = connectAs(address);
            client.hello(seeds.member(mesh, "m" + i), ed25519, WsClient.helloTimestamp(clock));
            client.close();
        }

        assertRefusedHello(
                connectAs(address),
                WsClient.helloFrame(seeds.member(mesh, "late"), ed25519, WsClient.helloTimestamp(clock)),
                "try_again_later",
                1013);
        assertThat(rejected("hello_rate")).isEqualTo(before + 1);
        connectAs("192.0.2.21").hello(seeds.member(mesh, "elsewhere"), ed25519, WsClient.helloTimestamp(clock));
    }

    @Test
    void maxFramesPerSecond_framesOverTheRateGetRateLimited_thenTheFloodIsClosed1008() throws Exception {
        WsClient flooder = online(seeds.member(seeds.mesh(), "flooder"));
        double before = rejected("flooding");
        // The clock stands still: the bucket holds two seconds' worth and never refills here.
        int allowed = 2 * LimitedBroker.FRAMES_PER_SECOND - 1;
        for (int i = 0; i < allowed; i++) {
            flooder.sendText("{\"type\":\"list_peers\"}");
        }
        assertThat(flooder.collect("error", allowed, Duration.ofSeconds(30)))
                .allSatisfy(error -> assertThat(error.path("code").asString()).isEqualTo("unknown_type"));

        flooder.send("s1", "*", "now", "bg==", "Yw==");
        JsonNode limited = flooder.next();
        assertThat(limited.path("code").asString()).isEqualTo("rate_limited");
        assertThat(limited.path("id").asString()).isEqualTo("s1");
        for (int i = 0; i < LimitedBroker.FRAMES_PER_SECOND; i++) {
            flooder.sendText("{\"type\":\"list_peers\"}");
        }

        WsClient.Closed closed = flooder.awaitClose();
        assertThat(closed).isEqualTo(new WsClient.Closed(1008, "flooding"));
        assertThat(rejected("flooding")).isEqualTo(before + 1);
    }
}
