package com.claudemesh.broker.session;

import com.claudemesh.broker.db.LoggableFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;

/**
 * PROTOCOL A.3 check 6: the hellos already accepted, in {@code mesh.hello_seen}, so that every broker
 * process on the database refuses a replay. A hello is identified by (member, timestamp): its
 * signature covers mesh, member, pubkey and timestamp, so these two name exactly one signed text —
 * and a signature of it written in other hex case, or malleated, is the same hello. Rows are kept
 * for twice the skew window: an older hello fails check 3 anyway, and the margin covers brokers whose
 * clocks disagree by up to a minute.
 */
@Repository
class SeenHellos {

    private static final Logger log = LoggerFactory.getLogger(SeenHellos.class);

    static final Duration KEPT = HelloVerifier.MAX_SKEW.multipliedBy(2);

    /** One accepted hello. */
    record Sighting(String memberId, long timestamp) {}

    private final JdbcClient jdbc;
    private final Clock clock;

    SeenHellos(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Records the hellos in one statement (inside the caller's transaction); {@code result[i]} is
     * whether {@code sightings[i]} is new — false for a hello seen before, by any process, or earlier
     * in the same list.
     */
    List<Boolean> record(List<Sighting> sightings) {
        // Sorted, so that two batches waiting on each other's keys always wait in the same order.
        Set<Sighting> inserted = new HashSet<>(jdbc.sql("""
                        INSERT INTO mesh.hello_seen (member_id, hello_timestamp)
                        SELECT * FROM unnest(?::text[], ?::bigint[]) ORDER BY 1, 2
                        ON CONFLICT DO NOTHING
                        RETURNING member_id, hello_timestamp
                        """)
                .params(
                        sightings.stream().map(Sighting::memberId).toArray(String[]::new),
                        sightings.stream().map(Sighting::timestamp).toArray(Long[]::new))
                .query((rs, row) -> new Sighting(rs.getString(1), rs.getLong(2)))
                .list());
        List<Boolean> fresh = new ArrayList<>(sightings.size());
        for (Sighting sighting : sightings) {
            // remove: a second copy in the same list is a replay of the first.
            fresh.add(inserted.remove(sighting));
        }
        return fresh;
    }

    /** Forgets the hellos too old to pass check 3 again. */
    int purge() {
        return jdbc.sql("DELETE FROM mesh.hello_seen WHERE hello_timestamp < ?")
                .param(clock.millis() - KEPT.toMillis())
                .update();
    }

    @Scheduled(fixedDelay = 30, timeUnit = TimeUnit.SECONDS)
    void scheduledPurge() {
        try {
            purge();
        } catch (DataAccessException e) {
            log.warn("Purging seen hellos failed: {}", LoggableFailure.describe(e));
        }
    }
}
