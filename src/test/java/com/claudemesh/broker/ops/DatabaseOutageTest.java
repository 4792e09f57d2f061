package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import com.claudemesh.broker.support.WsClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * PROTOCOL A.12: the broker never exits on a database outage and recovers by itself. A real
 * PostgreSQL server (embedded, on a fixed port and data directory) is stopped and started again
 * under a running broker.
 */
class DatabaseOutageTest {

    private static final Duration RECOVERY = Duration.ofSeconds(30);
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @TempDir
    Path dataDirectory;

    @Test
    void degradesWhileTheDatabaseIsDownAndRecoversWithoutRestart() throws Exception {
        int port = freePort();
        EmbeddedPostgres postgres = startPostgres(port);
        try (StandaloneBroker broker = StandaloneBroker.start(endpoint(postgres))) {
            assertThat(broker.get("/health").statusCode()).isEqualTo(200);

            postgres.close();

            await().atMost(RECOVERY).untilAsserted(() -> {
                var health = broker.get("/health");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("\"status\":\"degraded\"", "\"db\":\"down\"", "\"gitSha\"");
            });
            await().atMost(RECOVERY)
                    .untilAsserted(
                            () -> assertThat(broker.get("/metrics").body()).contains("broker_db_healthy 0.0"));
            assertThat(broker.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
            assertThat(broker.get("/actuator/health/liveness").statusCode()).isEqualTo(200);

            postgres = startPostgres(port);

            await().atMost(RECOVERY).untilAsserted(() -> {
                var health = broker.get("/health");
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"db\":\"up\"");
            });
            await().atMost(RECOVERY)
                    .untilAsserted(
                            () -> assertThat(broker.get("/metrics").body()).contains("broker_db_healthy 1.0"));
        } finally {
            postgres.close();
        }
    }

    /**
     * Issue 12.4: PostgreSQL stopped for {@link #OUTAGE} while one peer sends DMs to another at
     * about 100 a second. During the outage every send is answered — {@code unavailable} with its
     * id, never a false ack, never silence, within the 10 s real clients wait — the sessions stay
     * open, a hello is refused with 1013 {@code try_again_later}, {@code /health} says 503 and the
     * process stays up. After it the broker is healthy again without a restart, every acked message
     * reaches its recipient exactly once (its session never closed: confirmations that could not be
     * written were kept, not dropped), and new sessions work.
     */
    @Test
    void underTraffic_anOutageAnswersEverySend_losesNothingAcked_andRepeatsNothingConfirmed() throws Exception {
        int port = freePort();
        EmbeddedPostgres postgres = startPostgres(port);
        try (StandaloneBroker broker = StandaloneBroker.start(
                endpoint(postgres),
                "broker.send-rate-limit-per-min=" + BrokerIntegrationTest.UNLIMITED,
                "broker.send-rate-limit-burst=" + BrokerIntegrationTest.UNLIMITED)) {
            Ed25519 ed25519 = broker.context().getBean(Ed25519.class);
            MeshSeeds seeds = new MeshSeeds(new JdbcTemplate(postgres.getPostgresDatabase()), ed25519);
            String mesh = seeds.mesh();
            MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
            MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
            MeshSeeds.SeededMember carol = seeds.member(mesh, "carol");
            WsClient alices = online(broker, alice, ed25519);
            WsClient bobs = online(broker, bob, ed25519);
            Traffic traffic = new Traffic(alices, bob.pubkey());
            Thread sender = Thread.ofVirtual().start(traffic);

            await().atMost(RECOVERY).until(() -> traffic.acked().size() >= 100);
            postgres.close();
            long outageStarted = System.nanoTime();

            await().atMost(RECOVERY).untilAsserted(() -> {
                assertThat(broker.get("/health").statusCode()).isEqualTo(503);
                assertThat(broker.get("/metrics").body()).contains("broker_db_healthy 0.0");
            });
            WsClient refused = WsClient.connect(broker.port());
            refused.sendJson(WsClient.helloFrame(carol, ed25519, WsClient.helloTimestamp(Clock.systemUTC())));
            assertThat(refused.next(Duration.ofSeconds(15)).path("code").asString())
                    .isEqualTo("try_again_later");
            assertThat(refused.awaitClose()).isEqualTo(new WsClient.Closed(1013, "try_again_later"));
            await().atMost(OUTAGE).until(() -> !traffic.unavailable().isEmpty());
            // The outage lasts its full length while the sender goes on: the scenario, not a wait for a result.
            Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - outageStarted) / 1_000_000));

            postgres = startPostgres(port);
            await().atMost(RECOVERY)
                    .untilAsserted(
                            () -> assertThat(broker.get("/health").statusCode()).isEqualTo(200));
            int ackedBeforeTheEnd = traffic.acked().size();
            await().atMost(RECOVERY).until(() -> traffic.acked().size() >= ackedBeforeTheEnd + 100);
            traffic.stop();
            sender.join();

            // The figures of the scenario, for docs/RELIABILITY.md and whoever reads the CI log.
            System.out.printf(
                    "outage under traffic: %d sends, %d acked, %d unavailable, slowest answer %d ms%n",
                    traffic.sent(),
                    traffic.acked().size(),
                    traffic.unavailable().size(),
                    traffic.slowestAnswer().toMillis());
            assertThat(traffic.unanswered()).as("sends without an answer").isEmpty();
            assertThat(traffic.answeredTwice()).as("sends answered twice").isEmpty();
            assertThat(traffic.otherAnswers())
                    .as("answers other than ack or unavailable")
                    .isEmpty();
            assertThat(traffic.slowestAnswer()).isLessThan(Duration.ofSeconds(10));
            assertThat(alices.isClosed()).as("the sender's session stayed open").isFalse();
            assertThat(bobs.isClosed())
                    .as("the recipient's session stayed open")
                    .isFalse();

            Map<String, Integer> pushed = new HashMap<>();
            await().atMost(RECOVERY).untilAsserted(() -> {
                for (JsonNode frame : bobs.received()) {
                    if (frame.path("type").asString().equals("push")) {
                        pushed.merge(frame.path("messageId").asString(), 1, Integer::sum);
                    }
                }
                assertThat(pushed.keySet()).containsAll(traffic.acked().values());
            });
            assertThat(pushed)
                    .allSatisfy((messageId, times) ->
                            assertThat(times).as("pushes of %s", messageId).isEqualTo(1));
            assertThat(pushed.keySet())
                    .containsExactlyInAnyOrderElementsOf(traffic.acked().values());
            JdbcTemplate jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
            assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.message_queue", Integer.class))
                    .as("stored envelopes: exactly the acked ones")
                    .isEqualTo(traffic.acked().size());

            WsClient late = online(broker, carol, ed25519);
            late.send("after", bob.pubkey(), "now", "bg==", "Yw==");
            assertThat(late.next().path("type").asString()).isEqualTo("ack");
            assertThat(broker.context().isActive()).isTrue();
        } finally {
            postgres.close();
        }
    }

    @Test
    void startsWithoutTheDatabaseAndMigratesWhenItArrives() throws Exception {
        int port = freePort();
        TestDatabase.Endpoint nowhere =
                new TestDatabase.Endpoint("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", null);

        try (StandaloneBroker broker = StandaloneBroker.start(nowhere)) {
            var health = broker.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"db\":\"down\"");

            try (EmbeddedPostgres postgres = startPostgres(port)) {
                await().atMost(RECOVERY)
                        .untilAsserted(() ->
                                assertThat(broker.get("/health").statusCode()).isEqualTo(200));
                try (var c = endpoint(postgres).open();
                        var rs = c.createStatement()
                                .executeQuery("SELECT count(*) FROM information_schema.tables"
                                        + " WHERE table_schema = 'mesh' AND table_name = 'message_queue'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
        }
    }

    private static WsClient online(StandaloneBroker broker, MeshSeeds.SeededMember member, Ed25519 ed25519) {
        WsClient client = WsClient.connect(broker.port());
        client.hello(member, ed25519, WsClient.helloTimestamp(Clock.systemUTC()));
        return client;
    }

    /**
     * One peer sending DMs, one every 10 ms, and reading its answers in between: which send got
     * which answer, and how long after it was sent.
     */
    private static final class Traffic implements Runnable {

        private static final Duration EVERY = Duration.ofMillis(10);

        private final WsClient socket;
        private final String target;
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private final Map<String, List<JsonNode>> answers = new ConcurrentHashMap<>();
        private final Map<String, Long> answeredAfterNanos = new ConcurrentHashMap<>();
        private volatile boolean stopped;

        Traffic(WsClient socket, String target) {
            this.socket = socket;
            this.target = target;
        }

        @Override
        public void run() {
            try {
                long next = System.nanoTime();
                for (int i = 0; !stopped; i++) {
                    String id = "s" + i;
                    String body = Base64.getEncoder().encodeToString(id.getBytes(StandardCharsets.UTF_8));
                    sentAt.put(id, System.nanoTime());
                    socket.send(id, target, "now", body, body);
                    // A fixed pace, however fast the answers come.
                    next += EVERY.toNanos();
                    for (long left = next - System.nanoTime(); left > 0; left = next - System.nanoTime()) {
                        read(Duration.ofNanos(left));
                    }
                }
                long deadline = System.nanoTime() + RECOVERY.toNanos();
                while (answers.size() < sentAt.size() && System.nanoTime() < deadline) {
                    read(Duration.ofMillis(200));
                }
                read(Duration.ofMillis(300));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void read(Duration wait) throws InterruptedException {
            for (JsonNode frame = socket.poll(wait); frame != null; frame = socket.poll(Duration.ZERO)) {
                String id = frame.path("id").asString();
                answers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(frame);
                answeredAfterNanos.putIfAbsent(id, System.nanoTime() - sentAt.getOrDefault(id, System.nanoTime()));
            }
        }

        void stop() {
            stopped = true;
        }

        int sent() {
            return sentAt.size();
        }

        /** Send id → message id of every acked send. */
        Map<String, String> acked() {
            Map<String, String> acked = new HashMap<>();
            answers.forEach((id, frames) -> frames.stream()
                    .filter(f -> f.path("type").asString().equals("ack"))
                    .forEach(f -> acked.put(id, f.path("messageId").asString())));
            return acked;
        }

        List<String> unavailable() {
            return answers.entrySet().stream()
                    .filter(e -> e.getValue().stream()
                            .anyMatch(f -> f.path("code").asString().equals("unavailable")))
                    .map(Map.Entry::getKey)
                    .toList();
        }

        Set<String> unanswered() {
            Set<String> unanswered = new HashSet<>(sentAt.keySet());
            unanswered.removeAll(answers.keySet());
            return unanswered;
        }

        List<String> answeredTwice() {
            return answers.entrySet().stream()
                    .filter(e -> e.getValue().size() > 1)
                    .map(Map.Entry::getKey)
                    .toList();
        }

        List<JsonNode> otherAnswers() {
            return answers.values().stream()
                    .flatMap(List::stream)
                    .filter(f -> !f.path("type").asString().equals("ack")
                            && !f.path("code").asString().equals("unavailable"))
                    .toList();
        }

        Duration slowestAnswer() {
            return Duration.ofNanos(answeredAfterNanos.values().stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(0));
        }
    }

    private EmbeddedPostgres startPostgres(int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .start();
    }

    private static TestDatabase.Endpoint endpoint(EmbeddedPostgres postgres) {
        return new TestDatabase.Endpoint(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
