package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** PROTOCOL Part D: even a thread that dies of a defect is reported through the structured log. */
@ExtendWith(OutputCaptureExtension.class)
class UncaughtExceptionsTest {

    private final Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();

    @AfterEach
    void restore() {
        Thread.setDefaultUncaughtExceptionHandler(before);
    }

    @Test
    void aThreadThatDiesIsLoggedThroughTheLogger_notAsAPlainStackTraceOnStderr(CapturedOutput output) throws Exception {
        new UncaughtExceptions();

        Thread dying = Thread.ofVirtual().name("ws-writer-test").start(() -> {
            throw new IllegalArgumentException("Encoding error [MALFORMED[1]]");
        });
        dying.join();

        assertThat(output.getAll())
                .contains("A thread died of an unexpected exception")
                .contains("ws-writer-test")
                .doesNotContain("Exception in thread");
    }
}
