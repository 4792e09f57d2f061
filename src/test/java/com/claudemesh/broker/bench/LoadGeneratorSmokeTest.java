package com.claudemesh.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.bench.BenchMesh.BenchMember;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short run of the load generator against the whole broker: not a timed benchmark, only the
 * proof that the generator and its WebSocket client agree with the broker on the protocol and that
 * nothing is lost, duplicated or altered under concurrent senders.
 */
class LoadGeneratorSmokeTest extends BrokerIntegrationTest {

    @Test
    void burstOfFivePeersDeliversEverythingOnceAndIntact(@TempDir Path dir) throws Exception {
        BenchOptions options = BenchOptions.parse(
                new String[] {
                    "burst",
                    "--port",
                    Integer.toString(port),
                    "--db",
                    postgresUrl(TestDatabase.shared()),
                    "--peers",
                    "5",
                    "--messages",
                    "20",
                    "--drain-timeout",
                    "20",
                    "--timeout",
                    "60",
                    "--json",
                    dir.resolve("smoke.json").toString()
                },
                Map.of());

        BenchReport report = LoadGenerator.run(options);

        assertThat(report.sessions().connected()).isEqualTo(5);
        assertThat(report.messages().sent()).isEqualTo(100);
        assertThat(report.messages().acked()).isEqualTo(100);
        assertThat(report.messages().delivered()).isEqualTo(100);
        assertThat(report.messages().deliveredPercent()).isEqualTo(100.0);
        assertThat(report.messages().duplicates()).isZero();
        assertThat(report.messages().corrupt()).isZero();
        assertThat(report.messages().outOfOrder()).isZero();
        assertThat(report.errors()).isEmpty();
        assertThat(report.ok()).isTrue();
    }

    @Test
    void idleSessionsConnectHoldAndCloseWithoutErrors(@TempDir Path dir) throws Exception {
        BenchOptions options = BenchOptions.parse(
                new String[] {
                    "idle",
                    "--port",
                    Integer.toString(port),
                    "--db",
                    postgresUrl(TestDatabase.shared()),
                    "--sessions",
                    "20",
                    "--duration",
                    "1",
                    "--timeout",
                    "60",
                    "--json",
                    dir.resolve("idle.json").toString()
                },
                Map.of());

        BenchReport report = LoadGenerator.run(options);

        assertThat(report.sessions().connected()).isEqualTo(20);
        assertThat(report.sessions().closedByBroker()).isZero();
        assertThat(report.errors()).isEmpty();
        assertThat(report.ok()).isTrue();
    }

    /**
     * The broker counts a push as received when the pong of a ping sent after it arrives (PROTOCOL
     * A.6). The bench client's reader answers pings itself, so the delivery is confirmed while the
     * handler is still busy with the push — a client that handled text on its reader would hold
     * the pong back until the handler returned, and the delivery would stay unconfirmed here.
     */
    @Test
    void benchSocketAnswersPingsWhileItsHandlerIsStillBusyWithAPush() throws Exception {
        BenchCrypto crypto = new BenchCrypto();
        BenchMesh mesh = BenchMesh.create(postgresUrl(TestDatabase.shared()), 1, 2, crypto);
        BenchMember sender = mesh.members().get(0);
        BenchMember recipient = mesh.members().get(1);
        BlockingQueue<String> senderTexts = new LinkedBlockingQueue<>();
        BlockingQueue<String> recipientTexts = new LinkedBlockingQueue<>();
        CountDownLatch handlerReleased = new CountDownLatch(1);
        BenchSocket.Listener busyOnPush = new BenchSocket.Listener() {
            @Override
            public void onText(byte[] message) {
                String text = new String(message, StandardCharsets.UTF_8);
                recipientTexts.add(text);
                if (text.contains("\"type\":\"push\"")) {
                    try {
                        handlerReleased.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void onEnd(int code, String reason, IOException failure) {}
        };
        Duration wait = Duration.ofSeconds(10);
        try (BenchSocket a = BenchSocket.open(port, wait, collectingInto(senderTexts), "ping-test-sender");
                BenchSocket b = BenchSocket.open(port, wait, busyOnPush, "ping-test-recipient")) {
            a.sendText(BenchPeer.hello(sender, crypto));
            b.sendText(BenchPeer.hello(recipient, crypto));
            assertThat(senderTexts.poll(10, TimeUnit.SECONDS)).contains("\"type\":\"hello_ack\"");
            assertThat(recipientTexts.poll(10, TimeUnit.SECONDS)).contains("\"type\":\"hello_ack\"");

            byte[] nonce = crypto.nonce();
            byte[] cipher = crypto.box(
                    "held by a busy handler".getBytes(StandardCharsets.UTF_8),
                    nonce,
                    sender.index(),
                    sender.keys(),
                    recipient.index(),
                    recipient.keys());
            a.sendText("{\"type\":\"send\",\"id\":\"s1\",\"targetSpec\":\""
                    + recipient.keys().publicKeyHex() + "\",\"priority\":\"now\",\"nonce\":\""
                    + Base64.getEncoder().encodeToString(nonce) + "\",\"ciphertext\":\""
                    + Base64.getEncoder().encodeToString(cipher) + "\"}");
            assertThat(senderTexts.poll(10, TimeUnit.SECONDS)).contains("\"type\":\"ack\"");
            assertThat(recipientTexts.poll(10, TimeUnit.SECONDS)).contains("\"type\":\"push\"");

            long deadline = System.nanoTime() + wait.toNanos();
            while (confirmedDeliveries(recipient) == 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            assertThat(handlerReleased.getCount())
                    .as("the handler still holds the push")
                    .isEqualTo(1);
            assertThat(confirmedDeliveries(recipient)).isEqualTo(1);
            handlerReleased.countDown();
        }
    }

    private int confirmedDeliveries(BenchMember member) {
        Integer count = jdbc.queryForObject(
                "SELECT count(*) FROM mesh.delivery WHERE member_id = ? AND delivered_at IS NOT NULL",
                Integer.class,
                member.memberId());
        return count == null ? 0 : count;
    }

    private static BenchSocket.Listener collectingInto(BlockingQueue<String> texts) {
        return new BenchSocket.Listener() {
            @Override
            public void onText(byte[] message) {
                texts.add(new String(message, StandardCharsets.UTF_8));
            }

            @Override
            public void onEnd(int code, String reason, IOException failure) {}
        };
    }

    /** The generator takes the broker's DATABASE_URL form; the test database is given as JDBC. */
    private static String postgresUrl(TestDatabase.Endpoint db) {
        URI jdbc = URI.create(db.jdbcUrl().substring("jdbc:".length()));
        String credentials = URLEncoder.encode(db.username(), StandardCharsets.UTF_8)
                + (db.password() == null || db.password().isEmpty()
                        ? ""
                        : ":" + URLEncoder.encode(db.password(), StandardCharsets.UTF_8));
        return "postgres://" + credentials + "@" + jdbc.getHost() + ":" + jdbc.getPort() + jdbc.getPath()
                + (jdbc.getQuery() == null ? "" : "?" + jdbc.getQuery());
    }
}
