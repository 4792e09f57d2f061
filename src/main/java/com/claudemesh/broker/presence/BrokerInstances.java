package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code mesh.broker_instance}: one row per running broker process, with its heartbeat. */
@Repository
class BrokerInstances {

    private final JdbcClient jdbc;

    BrokerInstances(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts or revives the row; true when it did not exist (first start, or reaped meanwhile). */
    boolean register(BrokerInstance instance, Integer port, Instant now) {
        return jdbc.sql("""
                        INSERT INTO mesh.broker_instance (id, host, port, started_at, heartbeat_at)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING
                        """)
                        .params(instance.id(), instance.host(), port, toDb(now), toDb(now))
                        .update()
                == 1;
    }

    /** False when the row is gone: another instance declared this one dead. */
    boolean heartbeat(BrokerInstance instance, Instant now) {
        return jdbc.sql("UPDATE mesh.broker_instance SET heartbeat_at = GREATEST(heartbeat_at, ?) WHERE id = ?")
                        .params(toDb(now), instance.id())
                        .update()
                == 1;
    }

    void remove(BrokerInstance instance) {
        jdbc.sql("DELETE FROM mesh.broker_instance WHERE id = ?")
                .param(instance.id())
                .update();
    }

    /**
     * Deletes the rows of instances whose heartbeat is older than {@code deadBefore} or that claim
     * {@code self}'s host and port (a crashed predecessor: the port is bound by {@code self} now),
     * and closes their
     * presences at their last ping, together with live presences whose owner row is missing and
     * ownerless presences (older brokers) silent since {@code ownerlessSilentBefore}. Never touches
     * {@code self}. Returns the number of presences closed.
     */
    int reapDead(BrokerInstance self, Integer port, Instant deadBefore, Instant ownerlessSilentBefore) {
        return jdbc.sql("""
                        WITH dead AS (
                            DELETE FROM mesh.broker_instance
                             WHERE id <> :self AND (heartbeat_at < :deadBefore OR (host = :host AND port = :port))
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
                .param("deadBefore", toDb(deadBefore))
                .param("ownerlessSilentBefore", toDb(ownerlessSilentBefore))
                .update();
    }
}
