package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import com.claudemesh.broker.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Two broker processes on one database (A.6 claims), and the A.13 shutdown of one of them. */
class MultiInstanceTest extends SessionTestBase {

    @Test
    void a6_twoBrokersDrainingOneMemberAtOnce_neverDeliverADeliveryTwice() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        int count = 1_000;
        for (int i = 0; i < count; i++) {
            alices.send("s" + i, bob.pubkey(), "next", "bg==", "m" + i);
        }
        alices.collect("ack", count, Duration.ofSeconds(60));

        try (StandaloneBroker second = StandaloneBroker.start(TestDatabase.shared())) {
            long hereAt = WsClient.helloTimestamp(clock);
            long thereAt = WsClient.helloTimestamp(clock);
            CompletableFuture<WsClient> here = CompletableFuture.supplyAsync(() -> online(bob, port, hereAt));
            CompletableFuture<WsClient> there =
                    CompletableFuture.supplyAsync(() -> online(bob, second.port(), thereAt));
            WsClient x = here.get();
            WsClient y = there.get();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> jdbc.queryForObject(
                                    "SELECT count(*) FROM mesh.delivery WHERE member_id = ? AND delivered_at IS NULL",
                                    Integer.class,
                                    bob.id())
                            == 0);
            Thread.sleep(300);
            List<String> fromHere = ciphertexts(x);
            List<String> fromThere = ciphertexts(y);
            List<String> received = new ArrayList<>(fromHere);
            received.addAll(fromThere);

            assertThat(received).hasSize(count).doesNotHaveDuplicates();
            x.close();
            y.close();
        }
    }

    @Test
    void a6_aDmToAPeerOnAnotherBrokerIsPushedAtOnce_notAtTheNextPeriodicDrain() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        try (StandaloneBroker second = StandaloneBroker.start(TestDatabase.shared())) {
            WsClient alices = online(alice);
            WsClient bobs = online(bob, second.port(), WsClient.helloTimestamp(clock));
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                alices.send("x" + i, bob.pubkey(), "now", "bg==", "Yw==");
                assertThat(bobs.next().path("type").asString()).isEqualTo("push");
                millis.add((System.nanoTime() - start) / 1_000_000);
                alices.next();
            }
            millis.sort(null);
            // The periodic drain alone would take ~500 ms on average (once a second).
            assertThat(millis.get(5)).isLessThan(250);
            bobs.close();
        }
    }

    @Test
    void a3_check6_aHelloOneBrokerAcceptedIsReplayedAtAnother() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        Map<String, Object> hello = WsClient.helloFrame(alice, ed25519, WsClient.helloTimestamp(clock));
        WsClient here = connect();
        here.sendJson(hello);
        assertThat(here.next().path("type").asString()).isEqualTo("hello_ack");

        try (StandaloneBroker second = StandaloneBroker.start(TestDatabase.shared())) {
            WsClient there = connect(second.port());
            there.sendJson(hello);

            assertThat(there.next().path("code").asString()).isEqualTo("replayed");
            assertThat(there.awaitClose()).isEqualTo(new WsClient.Closed(1008, "replayed"));
        }
    }

    @Test
    void a13_shutdownClosesEverySocketWith1001AndMarksPresencesDisconnected() throws Exception {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        StandaloneBroker second = StandaloneBroker.start(TestDatabase.shared());
        WsClient alices = online(alice, second.port(), WsClient.helloTimestamp(clock));
        WsClient bobs = online(bob, second.port(), WsClient.helloTimestamp(clock));
        WsClient noHelloYet = connect(second.port());
        alices.send("c1", bob.pubkey(), "now", "bg==", "Yw==");
        assertThat(alices.next().path("type").asString()).isEqualTo("ack");
        assertThat(bobs.next().path("type").asString()).isEqualTo("push");
        // Queued for a member that is offline: it must survive the shutdown.
        MeshSeeds.SeededMember carol = seeds.member(mesh, "carol");
        alices.send("c2", carol.pubkey(), "low", "bg==", "Yw==");
        String queued = alices.next().path("messageId").asString();

        second.close();

        assertThat(alices.awaitClose().code()).isEqualTo(1001);
        assertThat(bobs.awaitClose().code()).isEqualTo(1001);
        assertThat(noHelloYet.awaitClose().code()).isEqualTo(1001);
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.presence p JOIN mesh.member m ON m.id = p.member_id"
                                + " WHERE m.mesh_id = ? AND p.disconnected_at IS NULL",
                        Integer.class,
                        mesh))
                .isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT delivered_at IS NULL FROM mesh.message_queue WHERE id = ?", Boolean.class, queued))
                .isTrue();
        // The push bob read before the shutdown was confirmed, so it is not pushed again.
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.delivery WHERE member_id = ? AND delivered_at IS NULL",
                        Integer.class,
                        bob.id()))
                .isZero();
    }

    private static List<String> ciphertexts(WsClient client) {
        List<String> result = new ArrayList<>();
        for (JsonNode frame : client.received()) {
            if ("push".equals(frame.path("type").asString())) {
                result.add(frame.path("ciphertext").asString());
            }
        }
        return result;
    }
}
