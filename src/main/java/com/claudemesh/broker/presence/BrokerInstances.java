package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code mesh.broker_instance}: one row per running broker process, with its heartbeat. Heartbeats
 * are stamped and judged by the database's clock, not the brokers': processes on hosts whose clocks
 * disagree must not take each other for dead (nor for alive).
 */
@Repository
class BrokerInstances {

    /** The database's clock, as the UTC {@code timestamp} the schema stores. */
    private static final String DATABASE_NOW = "(statement_timestamp() AT TIME ZONE 'UTC')";

    private final JdbcClient jdbc;

    BrokerInstances(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts or revives the row; true when it did not exist (first start, or reaped meanwhile). */
    boolean register(BrokerInstance instance, Integer port, Instant startedAt) {
        return jdbc.sql("""
                        INSERT INTO mesh.broker_instance (id, host, port, started_at, heartbeat_at)
                        VALUES (?, ?, ?, ?, """ + DATABASE_NOW + """
                        )
                        ON CONFLICT (id) DO NOTHING
                        """)
                        .params(instance.id(), instance.host(), port, toDb(startedAt))
                        .update()
                == 1;
    }

    /** False when the row is gone: another instance declared this one dead. */
    boolean heartbeat(BrokerInstance instance) {
        return jdbc.sql("UPDATE mesh.broker_instance SET heartbeat_at = " + DATABASE_NOW + " WHERE id = ?")
                        .param(instance.id())
                        .update()
                == 1;
    }

    void remove(BrokerInstance instance) {
        jdbc.sql("DELETE FROM mesh.broker_instance WHERE id = ?")
                .param(instance.id())
                .update();
    }

    /**
     * Deletes the rows of instances silent for {@code deadAfter} by the database's clock or that claim
     * {@code self}'s host and port (a crashed predecessor: the port is bound by {@code self} now),
     * and closes their
     * presences at their last ping, together with live presences whose owner row is missing and
     * ownerless presences (older brokers) silent since {@code ownerlessSilentBefore}. Never touches
     * {@code self}. Returns the number of presences closed.
     */
    int reapDead(BrokerInstance self, Integer port, Duration deadAfter, Instant ownerlessSilentBefore) {
        return jdbc.sql("""
                        WITH dead AS (
                            DELETE FROM mesh.broker_instance
                             WHERE id <> :self
                               AND (heartbeat_at < """ + DATABASE_NOW + """
                                                    - make_interval(secs => :deadAfter)
                                    OR (host = :host AND port = :port))
                            RETURNING id
                        )
                        UPDATE mesh.presence p SET disconnected_at = p.last_ping_at
                         WHERE p.disconnected_at IS NULL
                           AND ((p.broker_instance_id IS NULL AND p.last_ping_at < :ownerlessSilentBefore)
                                OR (p.broker_instance_id <> :self
                                    AND (p.broker_instance_id IN (SELECT id FROM dead)
                                         OR NOT EXISTS (SELECT 1 FROM mesh.broker_instance i
                                                         WHERE i.id = p.broker_instance_id))))
                        """)
                .param("self", self.id())
                .param("host", self.host())
                .param("port", port)
                .param("deadAfter", deadAfter.toMillis() / 1000.0)
                .param("ownerlessSilentBefore", toDb(ownerlessSilentBefore))
                .update();
    }
}
