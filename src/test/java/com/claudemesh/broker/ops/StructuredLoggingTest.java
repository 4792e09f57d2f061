package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** PROTOCOL Part D: one JSON object per line with timestamp, level, logger, message and event fields. */
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTest {

    private static final String PASSWORD = "pw-that-must-never-be-logged";

    @Test
    void logsOneJsonObjectPerLineWithThePartDFields(CapturedOutput output) {
        TestDatabase.Endpoint db = TestDatabase.shared();
        int before = output.getOut().length();
        int port;
        try (StandaloneBroker broker = StandaloneBroker.start(
                db,
                "logging.structured.format.console=logstash",
                // The test servers trust every local connection, so a password is accepted and ignored.
                "spring.datasource.password=" + PASSWORD,
                "broker.max-connections-per-mesh=77")) {
            port = broker.port();
        }

        JsonMapper json = JsonMapper.builder().build();
        List<String> lines = output.getOut().substring(before).lines().toList();
        assertThat(lines)
                .allSatisfy(text -> assertThat(json.readTree(text).isObject()).isTrue());
        List<JsonNode> startup = lines.stream()
                .map(json::readTree)
                .filter(line -> line.path("logger").asString().equals(StartupLog.class.getName()))
                .toList();
        assertThat(startup).hasSize(1);
        JsonNode line = startup.getFirst();
        assertThat(line.propertyNames()).contains("timestamp", "level", "logger", "message", "port", "version");
        assertThat(line.get("level").asString()).isEqualTo("INFO");
        assertThat(line.get("timestamp").asString()).endsWith("Z");
        assertThat(line.has("@version")).isFalse();
        // The one start-up line: what runs, where, with which limits.
        assertThat(line.get("port").asInt()).isEqualTo(port);
        assertThat(line.get("git_sha").asString()).isNotBlank();
        assertThat(line.get("database").asString())
                .isEqualTo(StartupLog.databaseLocation(db.jdbcUrl()))
                .endsWith("/" + db.databaseName());
        assertThat(line.get("max_connections_per_mesh").asInt()).isEqualTo(77);
        assertThat(line.get("max_message_bytes").asInt()).isEqualTo(65536);
        assertThat(line.get("send_rate_limit_per_min").asInt()).isEqualTo(600);
        assertThat(line.get("max_sockets").asInt()).isEqualTo(20000);
        assertThat(line.get("hook_mode").asString()).isEqualTo("open");
        assertThat(line.get("trusted_proxies").asString()).isEqualTo("none");
        assertThat(line.get("database_pool_size").asString()).isEqualTo("16");
        assertThat(line.get("message").asString()).contains("listening on port " + port);
        assertThat(output.getAll()).doesNotContain(PASSWORD);
    }

    @Test
    void brokerLogLevelSetsTheLevelOfTheBrokersOwnLoggers(CapturedOutput output) {
        TestDatabase.Endpoint db = TestDatabase.shared();
        int before = output.getOut().length();
        try (StandaloneBroker broker = StandaloneBroker.start(db, "BROKER_LOG_LEVEL=warn")) {
            assertThat(LoggerFactory.getLogger(StartupLog.class).isInfoEnabled())
                    .isFalse();
            assertThat(LoggerFactory.getLogger("org.springframework.boot").isInfoEnabled())
                    .isTrue();
        } finally {
            // The logging system is one per JVM: later tests expect the default.
            LoggingSystem.get(getClass().getClassLoader()).setLogLevel("com.claudemesh", LogLevel.INFO);
        }

        String logged = output.getOut().substring(before);
        assertThat(logged).contains("Tomcat started on port").doesNotContain("claudemesh broker ");
    }

    @Test
    void theDatabaseLocationNeverCarriesCredentials() {
        assertThat(StartupLog.databaseLocation(
                        "jdbc:postgresql://db.internal:6543/claudemesh?user=u&password=secret&sslmode=require"))
                .isEqualTo("db.internal:6543/claudemesh");
    }
}
