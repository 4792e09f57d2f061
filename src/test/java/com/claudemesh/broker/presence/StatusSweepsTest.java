package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.toDb;
import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.config.BrokerProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** PROTOCOL A.8 TTL sweep and A.9 pending cleanup, driven by the test clock. */
class StatusSweepsTest extends PresenceTestSupport {

    @Autowired
    StatusSweeps sweeps;

    @Autowired
    BrokerProperties properties;

    @Autowired
    MeterRegistry meters;

    private Duration ttl;

    @BeforeEach
    void setUp() {
        clock.set(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        ttl = properties.statusTtl();
    }

    @Test
    void a8TtlSweep_aWorkingStatusOlderThanTheTtlBecomesIdleFromJsonl() {
        Instant now = clock.instant();
        String expired =
                insertPresence(1, cwd("a"), "working", "hook", now.minus(ttl).minusMillis(1), now);
        String young =
                insertPresence(2, cwd("b"), "working", "hook", now.minus(ttl).plusSeconds(1), now);

        assertThat(sweeps.sweepExpiredWorking()).isGreaterThanOrEqualTo(1);

        assertThat(statusOf(expired)).isEqualTo("idle/jsonl");
        assertThat(instant(row(expired).get("status_updated_at"))).isEqualTo(now);
        assertThat(statusOf(young)).isEqualTo("working/hook");
        assertThat(events).containsExactly(new Seen(new PresenceStatusChanged(expired, memberId, Status.IDLE), "idle"));
    }

    @Test
    void a8TtlSweep_movingTheClockPastTheTtlDecaysAWorkingSession() {
        Instant now = clock.instant();
        String presence = insertPresence(1, cwd("a"), "working", "manual", now, now);

        sweeps.sweepExpiredWorking();
        assertThat(statusOf(presence)).isEqualTo("working/manual");

        clock.advance(ttl.plusSeconds(1));
        sweeps.sweepExpiredWorking();
        assertThat(statusOf(presence)).isEqualTo("idle/jsonl");
    }

    @Test
    void a8TtlSweep_leavesDndIdleAndClosedPresencesAlone() {
        Instant old = clock.instant().minus(ttl).minusSeconds(60);
        String dnd = insertPresence(1, cwd("a"), "dnd", "manual", old, old);
        String idle = insertPresence(2, cwd("b"), "idle", "hook", old, old);
        String closed = insertPresence(3, cwd("c"), "working", "hook", old, old);
        jdbc.update("UPDATE mesh.presence SET disconnected_at = ? WHERE id = ?", toDb(old), closed);

        sweeps.sweepExpiredWorking();

        assertThat(statusOf(dnd)).isEqualTo("dnd/manual");
        assertThat(statusOf(idle)).isEqualTo("idle/hook");
        assertThat(statusOf(closed)).isEqualTo("working/hook");
        assertThat(events).isEmpty();
    }

    @Test
    void a12_everySweepIsCounted() {
        double before = meters.get("broker.ttl.sweeps").counter().count();

        sweeps.sweepExpiredWorking();
        sweeps.sweepExpiredWorking();

        assertThat(meters.get("broker.ttl.sweeps").counter().count()).isEqualTo(before + 2);
    }

    @Test
    void a9Cleanup_deletesAppliedEntriesAndEntriesOlderThan10s() {
        String cwd = cwd("pending");
        Instant now = clock.instant();
        String young = pending(cwd, now.minusSeconds(9), null);
        String old = pending(cwd, now.minusSeconds(10), null);
        String applied = pending(cwd, now.minusSeconds(1), now);

        sweeps.purgePending();

        assertThat(jdbc.queryForList("SELECT id FROM mesh.pending_status WHERE cwd = ?", String.class, cwd))
                .containsExactly(young)
                .doesNotContain(old, applied);
    }

    private String pending(String cwd, Instant createdAt, Instant appliedAt) {
        String id = "ps-" + UUID.randomUUID();
        jdbc.update(
                "INSERT INTO mesh.pending_status (id, pid, cwd, status, created_at, applied_at)"
                        + " VALUES (?, 1, ?, 'working', ?, ?)",
                id,
                cwd,
                toDb(createdAt),
                toDb(appliedAt));
        return id;
    }
}
