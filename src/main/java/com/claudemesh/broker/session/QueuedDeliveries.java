package com.claudemesh.broker.session;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Which members of a batch of new sessions have anything queued, so that only they get a drain (a
 * claim statement each): most sessions connect to an empty queue. A hint, not the claim rule of
 * {@code routing}: it counts every undelivered, unexpired delivery, which includes every claimable
 * one, so it never hides one; a delivery claimed by another live session only costs a drain that
 * finds nothing.
 */
@Component
class QueuedDeliveries {

    private final JdbcClient jdbc;

    QueuedDeliveries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One statement on the pending-delivery index for the whole batch. */
    Set<String> membersWithQueued(Collection<String> memberIds) {
        return new HashSet<>(jdbc.sql("""
                        SELECT DISTINCT member_id FROM mesh.delivery
                         WHERE member_id = ANY (?) AND delivered_at IS NULL AND expired_at IS NULL
                        """)
                .param(memberIds.toArray(String[]::new))
                .query(String.class)
                .list());
    }
}
