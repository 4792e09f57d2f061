package com.claudemesh.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.claudemesh.broker.BrokerApplication;
import com.claudemesh.broker.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * An invalid setting stops start-up with one line that names the environment variable and what it
 * expects — no stack trace wall for the operator, and nothing logged in front of it: the settings
 * are checked before the web server starts.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupConfigurationTest {

    private static TestDatabase.Endpoint db;

    @BeforeAll
    static void database() {
        db = TestDatabase.shared();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '=',
            value = {
                "BROKER_PORT=abc=BROKER_PORT must be a TCP port between 1 and 65535, got 'abc'",
                "BROKER_PORT=0=BROKER_PORT must be a TCP port between 1 and 65535, got 0",
                "BROKER_PORT=99999999999=BROKER_PORT must be a TCP port between 1 and 65535, got 99999999999",
                "STATUS_TTL_SECONDS=0=STATUS_TTL_SECONDS must be a number of seconds between 1 and 3153600000, got 0",
                "MAX_CONNECTIONS_PER_MESH=-5=MAX_CONNECTIONS_PER_MESH must be a whole number between 1 and 100000000,"
                        + " got -5",
                "MAX_MESSAGE_BYTES=lots=MAX_MESSAGE_BYTES must be a byte count between 1024 and 16777216, got 'lots'",
                "HOOK_RATE_LIMIT_PER_MIN=0=HOOK_RATE_LIMIT_PER_MIN must be a whole number between 1 and 100000000, got 0",
                "JOIN_RATE_LIMIT_PER_IP_PER_MIN=100000001=JOIN_RATE_LIMIT_PER_IP_PER_MIN must be a whole number between"
                        + " 1 and 100000000, got 100000001",
                "SEND_RATE_LIMIT_BURST=0=SEND_RATE_LIMIT_BURST must be a whole number between 1 and 100000000, got 0",
                "OUTBOUND_QUEUE_FRAMES=200000000=OUTBOUND_QUEUE_FRAMES must be a whole number between 1 and 100000000,"
                        + " got 200000000",
                "MESSAGE_TTL_SECONDS=-1=MESSAGE_TTL_SECONDS must be a number of seconds between 1 and 3153600000, got -1",
                "MAX_SOCKETS=0=MAX_SOCKETS must be a whole number between 1 and 100000000, got 0",
                "MAX_FRAMES_PER_SECOND=x=MAX_FRAMES_PER_SECOND must be a whole number between 1 and 100000000, got 'x'",
                "TRUSTED_PROXIES=10.0.0.0/8,proxy.internal=TRUSTED_PROXIES must be a comma-separated list of IPv4 or"
                        + " IPv6 ranges such as 10.0.0.0/8, 172.16.0.0/12 or fd00::/8, got 'proxy.internal'",
                "HOOK_ALLOWED_CIDRS=10.0.0.0/33=HOOK_ALLOWED_CIDRS must be a comma-separated list of IPv4 or"
                        + " IPv6 ranges such as 10.0.0.0/8, 172.16.0.0/12 or fd00::/8, got '10.0.0.0/33'",
                "HOOK_REQUIRE_TOKEN=yes=HOOK_REQUIRE_TOKEN must be true or false, got 'yes'",
                "DATABASE_POOL_SIZE=1=DATABASE_POOL_SIZE must be a whole number between 2 and 10000, got 1",
                "BROKER_LOG_LEVEL=loud=BROKER_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got 'loud'",
                "BROKER_PUBLIC_URL=http://x/ws=BROKER_PUBLIC_URL must be a ws:// or wss:// URL such as"
                        + " wss://broker.example.com/ws",
                "BROKER_ADMIN_TOKEN=short=BROKER_ADMIN_TOKEN must be at least 16 characters long",
                "DATABASE_URL=mysql://u:p@h:3306/db=DATABASE_URL must look like postgres://user:password@host:5432/database,"
                        + " got scheme 'mysql://' (only postgres:// and postgresql://)"
            })
    void anInvalidSettingStopsStartUpWithOneLineNamingIt(
            String variable, String value, String expected, CapturedOutput output) {
        List<String> properties = new ArrayList<>(List.of(variable + "=" + value));
        if (!variable.equals("DATABASE_URL")) {
            properties.add("spring.datasource.url=" + db.jdbcUrl());
            properties.add("spring.datasource.username=" + db.username());
        }

        assertThat(startUpPrints(properties, output)).containsExactly("claudemesh-broker: cannot start: " + expected);
    }

    @Test
    void withoutADatabaseStartUpSaysDatabaseUrlIsRequired(CapturedOutput output) {
        assertThat(startUpPrints(List.of(), output))
                .containsExactly("claudemesh-broker: cannot start: DATABASE_URL is required, for example"
                        + " postgres://user:password@host:5432/database");
    }

    /** Issue 12: a benchmark lifts any limit, so each takes a hundred million. */
    @ParameterizedTest
    @EnumSource(
            value = WholeNumberSetting.class,
            names = {
                "MAX_CONNECTIONS_PER_MESH",
                "HOOK_RATE_LIMIT_PER_MIN",
                "JOIN_RATE_LIMIT_PER_IP_PER_MIN",
                "SEND_RATE_LIMIT_PER_MIN",
                "SEND_RATE_LIMIT_BURST",
                "OUTBOUND_QUEUE_FRAMES",
                "HELLO_RATE_LIMIT_PER_IP_PER_MIN",
                "MAX_PENDING_SOCKETS_PER_IP",
                "MAX_SOCKETS",
                "MAX_FRAMES_PER_SECOND"
            })
    void everyConnectionAndRateLimitAcceptsAHundredMillion(WholeNumberSetting limit) {
        limit.checkText("100000000");
        assertThat(limit.require(100_000_000)).isEqualTo(100_000_000);
    }

    @Test
    void aWellFormedValueAtTheTopOfItsRangeIsAccepted() {
        WholeNumberSetting.JOIN_RATE_LIMIT_PER_IP_PER_MIN.checkText("100000000");
        WholeNumberSetting.BROKER_PORT.checkText(" 65535 ");
    }

    /** Starts the broker with these settings (it must fail) and returns the lines it printed meanwhile. */
    private static List<String> startUpPrints(List<String> settings, CapturedOutput output) {
        List<String> properties = new ArrayList<>(settings);
        properties.add("server.port=0");
        properties.add("logging.structured.format.console=");
        int before = output.getAll().length();

        assertThatThrownBy(() -> new SpringApplicationBuilder(BrokerApplication.class)
                        .properties(properties.toArray(String[]::new))
                        .run()
                        .close())
                .isNotNull();

        return output.getAll()
                .substring(before)
                .lines()
                .filter(line -> !line.isBlank())
                .toList();
    }
}
