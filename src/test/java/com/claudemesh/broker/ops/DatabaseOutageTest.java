package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROTOCOL A.12: the broker never exits on a database outage and recovers by itself. A real
 * PostgreSQL server (embedded, on a fixed port and data directory) is stopped and started again
 * under a running broker.
 */
class DatabaseOutageTest {

    private static final Duration RECOVERY = Duration.ofSeconds(30);

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
