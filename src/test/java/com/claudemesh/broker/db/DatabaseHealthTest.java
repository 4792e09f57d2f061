package com.claudemesh.broker.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** {@link Reachability} as writers see it, against a real PostgreSQL and a port where none listens. */
class DatabaseHealthTest {

    private static DatabaseHealth over(String jdbcUrl, String user, String password) {
        return new DatabaseHealth(
                new JdbcTemplate(new DriverManagerDataSource(jdbcUrl, user, password)), new SimpleMeterRegistry());
    }

    private static DatabaseHealth overTheTestDatabase() {
        TestDatabase.Endpoint db = TestDatabase.shared();
        return over(db.jdbcUrl(), db.username(), db.password());
    }

    @Test
    void aDatabaseNobodyFoundUnreachableIsNotKnownDown() {
        assertThat(overTheTestDatabase().knownDown()).isFalse();
    }

    @Test
    void aWriteThatFoundNoDatabaseMakesItKnownDownAtOnce_andAProbeThatAnswersEndsIt() {
        DatabaseHealth health = overTheTestDatabase();

        health.failed(new CannotGetJdbcConnectionException("no connection"));

        assertThat(health.knownDown()).isTrue();
        // The writers that ask start the probe themselves, a second after the failure.
        await().atMost(Duration.ofSeconds(10)).until(() -> !health.knownDown());
        assertThat(health.isUp()).isTrue();
    }

    @Test
    void aFailureOfAnotherKindSaysNothingAboutReachability() {
        DatabaseHealth health = overTheTestDatabase();

        health.failed(new DataIntegrityViolationException("duplicate key"));

        assertThat(health.knownDown()).isFalse();
    }

    @Test
    void aProbeThatCannotReachTheDatabaseMakesItKnownDown() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DatabaseHealth health = over("jdbc:postgresql://127.0.0.1:" + closedPort + "/none", "postgres", null);

        assertThat(health.isUp()).isFalse();

        await().atMost(Duration.ofSeconds(10)).until(health::knownDown);
    }

    @Test
    void anAttemptWhileKnownDownIsNotMade_andFailsAtOnceAsUnavailable() {
        DatabaseHealth health = overTheTestDatabase();
        health.failed(new CannotGetJdbcConnectionException("no connection"));
        AtomicBoolean made = new AtomicBoolean();

        assertThatThrownBy(() -> health.attempt(() -> made.getAndSet(true))).matches(GroupCommit::unavailable);
        assertThat(made).isFalse();
    }

    @Test
    void anAttemptThatFindsNoDatabaseMakesItKnownDown() {
        DatabaseHealth health = overTheTestDatabase();

        assertThatThrownBy(() -> health.attempt(() -> {
                    throw new CannotGetJdbcConnectionException("no connection");
                }))
                .isInstanceOf(CannotGetJdbcConnectionException.class);

        assertThat(health.knownDown()).isTrue();
    }
}
