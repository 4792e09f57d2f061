package com.claudemesh.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.claudemesh.broker.BrokerApplication;
import com.claudemesh.broker.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * An invalid setting stops start-up with one line that names the environment variable and what it
 * expects — no stack trace wall for the operator.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupConfigurationTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '=',
            value = {
                "BROKER_PORT=abc=BROKER_PORT must be a whole number, got 'abc'",
                "BROKER_PORT=0=BROKER_PORT must be a TCP port between 1 and 65535, got 0",
                "STATUS_TTL_SECONDS=0=STATUS_TTL_SECONDS must be a positive number of seconds, got 0",
                "MAX_CONNECTIONS_PER_MESH=-5=MAX_CONNECTIONS_PER_MESH must be a positive integer, got -5",
                "MAX_MESSAGE_BYTES=lots=MAX_MESSAGE_BYTES must be a whole number, got 'lots'",
                "HOOK_RATE_LIMIT_PER_MIN=0=HOOK_RATE_LIMIT_PER_MIN must be a positive integer, got 0",
                "MESSAGE_TTL_SECONDS=-1=MESSAGE_TTL_SECONDS must be a positive number of seconds, got -1",
                "BROKER_PUBLIC_URL=http://x/ws=BROKER_PUBLIC_URL must be a ws:// or wss:// URL",
                "DATABASE_URL=mysql://u:p@h:3306/db=DATABASE_URL must look like postgres://user:password@host:5432/database"
            })
    void anInvalidSettingStopsStartUpWithOneLineNamingIt(
            String variable, String value, String expected, CapturedOutput output) {
        List<String> properties =
                new ArrayList<>(List.of(variable + "=" + value, "server.port=0", "logging.structured.format.console="));
        if (!variable.equals("DATABASE_URL")) {
            TestDatabase.Endpoint db = TestDatabase.shared();
            properties.add("spring.datasource.url=" + db.jdbcUrl());
            properties.add("spring.datasource.username=" + db.username());
        }

        assertThatThrownBy(() -> new SpringApplicationBuilder(BrokerApplication.class)
                        .properties(properties.toArray(String[]::new))
                        .run()
                        .close())
                .isNotNull();

        List<String> reported = output.getErr()
                .lines()
                .filter(line -> line.startsWith("claudemesh-broker: cannot start: "))
                .toList();
        assertThat(reported).hasSize(1);
        assertThat(reported.getFirst()).contains(expected);
        assertThat(output.getAll())
                .doesNotContain("\tat org.springframework")
                .doesNotContain("APPLICATION FAILED TO START");
    }
}
