package com.claudemesh.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short run of the load generator against the whole broker: not a timed benchmark, only the
 * proof that the generator and the broker agree on the protocol and that nothing is lost,
 * duplicated or altered under concurrent senders.
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
