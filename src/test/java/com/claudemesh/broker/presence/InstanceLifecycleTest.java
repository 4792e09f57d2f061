package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.toDb;
import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.ops.SchemaReadyEvent;
import com.claudemesh.broker.ops.ShutdownStep;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Presences across broker processes sharing one database (issue 4 item 7, PROTOCOL A.13): crashed
 * instances' presences are closed, live instances' never; shutdown releases this instance's.
 */
class InstanceLifecycleTest extends PresenceTestSupport {

    @Autowired
    InstanceLifecycle lifecycle;

    @Autowired
    BrokerInstances instances;

    @Autowired
    PresenceRows rows;

    @Autowired
    Presences presences;

    @Autowired
    List<ShutdownStep> shutdownSteps;

    @Autowired
    ApplicationEventPublisher publisher;

    private final String dead = "dead-" + UUID.randomUUID();
    private final String alive = "alive-" + UUID.randomUUID();
    private Instant now;

    @BeforeEach
    void setUp() {
        clock.set(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        now = clock.instant();
    }

    @AfterEach
    void dropInstances() {
        jdbc.update("DELETE FROM mesh.broker_instance WHERE id IN (?, ?)", dead, alive);
        lifecycle.heartbeat();
    }

    @Test
    void crashRecovery_closesPresencesOfInstancesWithAStaleHeartbeatOnly() {
        instanceRow(dead, now.minus(InstanceLifecycle.DEAD_AFTER).minusSeconds(1));
        instanceRow(alive, now.minus(InstanceLifecycle.DEAD_AFTER).plusSeconds(1));
        Instant lastPing = now.minusSeconds(90);
        String ofDead = insertPresence(1, cwd("a"), "idle", "jsonl", lastPing, lastPing, dead);
        String ofAlive = insertPresence(2, cwd("b"), "idle", "jsonl", lastPing, lastPing, alive);
        String ofSelf = insertPresence(3, cwd("c"), "idle", "jsonl", lastPing, lastPing, self.id());
        String ofVanished = insertPresence(4, cwd("d"), "idle", "jsonl", lastPing, lastPing, "gone-" + tag);

        lifecycle.reapDead();

        assertThat(instant(row(ofDead).get("disconnected_at"))).isEqualTo(lastPing);
        assertThat(row(ofVanished).get("disconnected_at")).isNotNull();
        assertThat(row(ofAlive).get("disconnected_at")).isNull();
        assertThat(row(ofSelf).get("disconnected_at")).isNull();
        assertThat(instanceIds()).doesNotContain(dead).contains(alive, self.id());
    }

    @Test
    void crashRecovery_aPredecessorOnThisHostAndPortIsDeadAtOnce() {
        instanceRow(dead, self.host(), port, now);
        instanceRow(alive, self.host(), port + 1, now);
        String ofPredecessor = insertPresence(1, cwd("a"), "idle", "jsonl", now, now, dead);
        String ofNeighbour = insertPresence(2, cwd("b"), "idle", "jsonl", now, now, alive);

        lifecycle.reapDead();

        assertThat(row(ofPredecessor).get("disconnected_at")).isNotNull();
        assertThat(row(ofNeighbour).get("disconnected_at")).isNull();
        assertThat(instanceIds()).doesNotContain(dead).contains(alive);
    }

    @Test
    void crashRecovery_presencesWithoutOwnerAreClosedOnlyWhenSilent() {
        Instant silent = now.minus(InstanceLifecycle.OWNERLESS_SILENT_AFTER).minusSeconds(1);
        Instant recent = now.minusSeconds(20);
        String leftover = insertPresence(1, cwd("a"), "idle", "jsonl", silent, silent, null);
        String pinging = insertPresence(2, cwd("b"), "idle", "jsonl", recent, recent, null);

        lifecycle.reapDead();

        assertThat(row(leftover).get("disconnected_at")).isNotNull();
        assertThat(row(pinging).get("disconnected_at")).isNull();
    }

    @Test
    void crashRecovery_runsWhenTheSchemaIsReady() {
        instanceRow(dead, now.minusSeconds(3600));
        String ofDead = insertPresence(1, cwd("a"), "idle", "jsonl", now, now, dead);

        publisher.publishEvent(new SchemaReadyEvent());

        assertThat(row(ofDead).get("disconnected_at")).isNotNull();
        assertThat(instanceIds()).contains(self.id());
    }

    @Test
    void anInstanceTakenForDeadComesBackWithItsOpenPresences() {
        Presence open = presences.open(memberId, "s", 1, cwd("a"));
        Presence closed = presences.open(memberId, "s", 2, cwd("b"));
        presences.close(closed.id());
        // Another instance saw this one's heartbeat go stale (a long database outage) and reaped it.
        jdbc.update("DELETE FROM mesh.broker_instance WHERE id = ?", self.id());
        jdbc.update("UPDATE mesh.presence SET disconnected_at = ? WHERE id = ?", toDb(now), open.id());

        lifecycle.heartbeat();

        assertThat(instanceIds()).contains(self.id());
        assertThat(row(open.id()).get("disconnected_at")).isNull();
        assertThat(row(closed.id()).get("disconnected_at")).isNotNull();
    }

    @Test
    void a13_shutdownMarksEveryPresenceOfThisInstanceDisconnected() {
        BrokerInstance other = new BrokerInstance(dead, "other-host");
        InstanceLifecycle otherLifecycle =
                new InstanceLifecycle(other, instances, rows, new LocalPresences(rows), clock);
        otherLifecycle.ensureRegistered();
        String mine = insertPresence(1, cwd("a"), "working", "hook", now, now, dead);
        String alreadyClosed = insertPresence(2, cwd("b"), "idle", "jsonl", now, now, dead);
        jdbc.update(
                "UPDATE mesh.presence SET disconnected_at = ? WHERE id = ?", toDb(now.minusSeconds(5)), alreadyClosed);
        String ofThisProcess = insertPresence(3, cwd("c"), "idle", "jsonl", now, now, self.id());
        clock.advance(Duration.ofSeconds(1));

        otherLifecycle.shutDown();
        otherLifecycle.heartbeat();

        assertThat(instant(row(mine).get("disconnected_at"))).isEqualTo(clock.instant());
        assertThat(instant(row(alreadyClosed).get("disconnected_at"))).isEqualTo(now.minusSeconds(5));
        assertThat(row(ofThisProcess).get("disconnected_at")).isNull();
        assertThat(instanceIds()).doesNotContain(dead);
    }

    @Test
    void a13_theShutdownStepReleasesPresencesAfterSessionsAreClosed() {
        assertThat(shutdownSteps).contains(lifecycle);
        assertThat(lifecycle.getOrder()).isEqualTo(ShutdownStep.RELEASE_PRESENCES);
        assertThat(row(presences.open(memberId, "s", 1, cwd("a")).id()).get("broker_instance_id"))
                .isEqualTo(lifecycle.instanceId());
    }

    private void instanceRow(String id, Instant heartbeat) {
        instanceRow(id, "h", null, heartbeat);
    }

    private void instanceRow(String id, String host, Integer port, Instant heartbeat) {
        jdbc.update(
                "INSERT INTO mesh.broker_instance (id, host, port, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)",
                id,
                host,
                port,
                toDb(heartbeat),
                toDb(heartbeat));
    }

    private List<String> instanceIds() {
        return jdbc.queryForList("SELECT id FROM mesh.broker_instance", String.class);
    }
}
