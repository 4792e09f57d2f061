package com.claudemesh.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code java -jar claudemesh-broker.jar --help}: the one-shot commands, and nothing started. */
class BrokerHelpTest {

    @Test
    void helpListsTheOneShotCommandsAndExitsZeroWithoutStartingTheBroker() throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        BrokerApplication.class.getName(),
                        "--help")
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(printed).isZero();
        assertThat(printed)
                .contains("Usage: java -jar claudemesh-broker.jar [command]")
                .containsPattern("--backfill-keys +fill in missing mesh owner keypairs")
                .containsPattern("--reencrypt-keys +encrypt plaintext mesh owner secret keys")
                .contains("--help")
                .contains("DATABASE_URL")
                .doesNotContain("Tomcat")
                .doesNotContain("cannot start");
    }
}
