package com.claudemesh.broker.keys;

import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The SQL of {@code mesh.key_encryption_check}: the sealed value that proves the configured key. */
@Repository
class KeyCheckStore {

    private final JdbcClient jdbc;

    KeyCheckStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<String> checkValue() {
        return jdbc.sql("SELECT check_value FROM mesh.key_encryption_check WHERE id = 1")
                .query(String.class)
                .optional();
    }

    void storeCheckValue(String checkValue, Instant now) {
        jdbc.sql("""
                        INSERT INTO mesh.key_encryption_check (id, check_value, created_at) VALUES (1, ?, ?)
                        ON CONFLICT (id) DO NOTHING
                        """).params(checkValue, toDb(now)).update();
    }
}
