package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** PROTOCOL Part D: one JSON object per line with timestamp, level, logger, message and event fields. */
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTest {

    @Test
    void logsOneJsonObjectPerLineWithThePartDFields(CapturedOutput output) {
        try (StandaloneBroker broker =
                StandaloneBroker.start(TestDatabase.shared(), "logging.structured.format.console=logstash")) {
            assertThat(broker.port()).isPositive();
        }

        JsonMapper json = JsonMapper.builder().build();
        List<String> lines = output.getOut()
                .lines()
                .filter(line -> line.contains("claudemesh broker listening"))
                .toList();
        assertThat(lines).hasSize(1);
        JsonNode line = json.readTree(lines.getFirst());
        assertThat(line.propertyNames()).contains("timestamp", "level", "logger", "message", "port", "version");
        assertThat(line.get("level").asString()).isEqualTo("INFO");
        assertThat(line.get("logger").asString()).isEqualTo(StartupLog.class.getName());
        assertThat(line.get("timestamp").asString()).endsWith("Z");
        assertThat(line.has("@version")).isFalse();
    }
}
