package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Presence rows of live sessions: opened at hello, refreshed by traffic, closed on every close path. */
@Service
public class Presences {

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    Presences(JdbcTemplate jdbc, Clock clock, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = events;
    }

    /** Creates the presence of a session that passed hello: {@code idle} from {@code jsonl} (A.3). */
    public Presence open(String memberId, String sessionId, int pid, String cwd) {
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        jdbc.update("""
                INSERT INTO mesh.presence (id, member_id, session_id, pid, cwd, status, status_source,
                                           status_updated_at, connected_at, last_ping_at)
                VALUES (?, ?, ?, ?, ?, 'idle', 'jsonl', ?, ?, ?)
                """, id, memberId, sessionId, pid, cwd, toDb(now), toDb(now), toDb(now));
        return new Presence(id, memberId, sessionId, pid, cwd, Status.IDLE, StatusSource.JSONL, now, now);
    }

    /** A pong or any frame arrived: the session is alive. */
    public void touch(String presenceId) {
        jdbc.update("UPDATE mesh.presence SET last_ping_at = ? WHERE id = ?", toDb(clock.instant()), presenceId);
    }

    public void close(String presenceId) {
        jdbc.update(
                "UPDATE mesh.presence SET disconnected_at = ? WHERE id = ? AND disconnected_at IS NULL",
                toDb(clock.instant()),
                presenceId);
    }

    /** {@code set_status} from the session itself, source {@code manual} (A.8). */
    public void setManualStatus(String presenceId, String memberId, Status status) {
        jdbc.update(
                "UPDATE mesh.presence SET status = ?::mesh.presence_status, status_source = 'manual',"
                        + " status_updated_at = ? WHERE id = ?",
                status.wire(),
                toDb(clock.instant()),
                presenceId);
        events.publishEvent(new PresenceStatusChanged(presenceId, memberId, status));
    }
}
