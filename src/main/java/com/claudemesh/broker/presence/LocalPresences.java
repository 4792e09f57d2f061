package com.claudemesh.broker.presence;

import com.claudemesh.broker.db.LoggableFailure;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The presences this process has open, and pongs not yet written. {@code touch} runs on every pong
 * and frame, so it only records the time; {@link #flushPings} writes the newest time of every
 * touched presence in one batch every few seconds.
 */
@Component
class LocalPresences {

    private static final Logger log = LoggerFactory.getLogger(LocalPresences.class);

    private final PresenceRows rows;
    private final Set<String> open = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> unflushedPings = new ConcurrentHashMap<>();

    LocalPresences(PresenceRows rows) {
        this.rows = rows;
    }

    void opened(String presenceId) {
        open.add(presenceId);
    }

    void touched(String presenceId, Instant at) {
        if (open.contains(presenceId)) {
            unflushedPings.merge(presenceId, at, (old, now) -> now.isAfter(old) ? now : old);
        }
    }

    /** Forgets a closed presence; returns its last pong not written yet, or null. */
    Instant closed(String presenceId) {
        open.remove(presenceId);
        return unflushedPings.remove(presenceId);
    }

    List<String> openIds() {
        return List.copyOf(open);
    }

    @Scheduled(fixedDelay = 5, timeUnit = TimeUnit.SECONDS)
    void flushPings() {
        Map<String, Instant> pings = Map.copyOf(unflushedPings);
        if (pings.isEmpty()) {
            return;
        }
        try {
            rows.recordPings(pings);
            // remove(key, value) keeps a pong that arrived while the batch was written.
            pings.forEach(unflushedPings::remove);
        } catch (DataAccessException e) {
            log.warn("Writing last_ping_at of {} presence(s) failed: {}", pings.size(), LoggableFailure.describe(e));
        }
    }
}
