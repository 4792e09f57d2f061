package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.toDb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/** The public {@link Presences} API the session layer calls: PROTOCOL A.3, A.8, A.9 and A.1 pings. */
class PresencesTest extends PresenceTestSupport {

    @Autowired
    Presences presences;

    @Autowired
    LocalPresences local;

    @Autowired
    StatusWriter writer;

    @Autowired
    PresenceRows rows;

    @Autowired
    HookStatuses hooks;

    @Autowired
    TransactionTemplate tx;

    @BeforeEach
    void wholeMilliseconds() {
        // PostgreSQL keeps microseconds; a clock on whole milliseconds compares exactly.
        clock.set(clock.instant().truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void a3_openCreatesAnIdleJsonlPresenceOwnedByThisBroker() {
        Presence opened = presences.open(memberId, "sess-1", 4242, cwd("p"));

        assertThat(opened.status()).isEqualTo(Status.IDLE);
        assertThat(opened.source()).isEqualTo(StatusSource.JSONL);
        assertThat(opened.connectedAt()).isEqualTo(clock.instant());
        Map<String, Object> row = row(opened.id());
        assertThat(row.get("status") + "/" + row.get("source")).isEqualTo("idle/jsonl");
        assertThat(row.get("disconnected_at")).isNull();
        assertThat(row.get("broker_instance_id")).isEqualTo(self.id());
        assertThat(presences.findLive(opened.id())).contains(opened);
    }

    @Test
    void a3a9_openAppliesTheNewestPendingHookOfTheSamePidAndCwdYoungerThan10s() {
        String cwd = cwd("pending");
        Instant now = clock.instant();
        String older = pending(4242, cwd, "dnd", now.minusSeconds(5));
        String newest = pending(4242, cwd, "working", now.minusSeconds(2));
        pending(9999, cwd, "idle", now.minusSeconds(1));

        Presence opened = presences.open(memberId, "sess-1", 4242, cwd);

        assertThat(opened.status()).isEqualTo(Status.WORKING);
        assertThat(opened.source()).isEqualTo(StatusSource.HOOK);
        assertThat(opened.statusUpdatedAt()).isEqualTo(now.minusSeconds(2));
        assertThat(statusOf(opened.id())).isEqualTo("working/hook");
        assertThat(appliedAt(newest)).isEqualTo(toDb(now));
        assertThat(appliedAt(older)).isNull();
    }

    @Test
    void a3a9_aPendingHookOf10sOrOlderIsIgnored() {
        String cwd = cwd("old-pending");
        String old = pending(4242, cwd, "working", clock.instant().minusSeconds(10));

        Presence opened = presences.open(memberId, "sess-1", 4242, cwd);

        assertThat(opened.status()).isEqualTo(Status.IDLE);
        assertThat(statusOf(opened.id())).isEqualTo("idle/jsonl");
        assertThat(appliedAt(old)).isNull();
    }

    @Test
    void a3a9_anAppliedPendingHookIsNotAppliedTwice() {
        String cwd = cwd("twice");
        pending(4242, cwd, "working", clock.instant().minusSeconds(1));

        Presence first = presences.open(memberId, "sess-1", 4242, cwd);
        Presence second = presences.open(memberId, "sess-2", 4242, cwd);

        assertThat(first.status()).isEqualTo(Status.WORKING);
        assertThat(second.status()).isEqualTo(Status.IDLE);
    }

    @Test
    void a3a9_aBatchOfHellosOpensAsIfOneAfterTheOther() {
        String shared = cwd("batch");
        String other = cwd("batch-other");
        Instant now = clock.instant();
        String sharedHook = pending(4242, shared, "working", now.minusSeconds(1));
        String otherHook = pending(7, other, "dnd", now.minusSeconds(3));

        List<Presence> opened = presences.openAll(List.of(
                new Presences.Opening(memberId, "sess-1", 4242, shared, HookToken.random()),
                new Presences.Opening(memberId, "sess-2", 4242, shared, HookToken.random()),
                new Presences.Opening(memberId, "sess-3", 7, other, HookToken.random()),
                new Presences.Opening(memberId, "sess-4", 1, cwd("batch-none"), HookToken.random())));

        assertThat(opened).extracting(Presence::sessionId).containsExactly("sess-1", "sess-2", "sess-3", "sess-4");
        assertThat(opened)
                .extracting(Presence::status)
                .containsExactly(Status.WORKING, Status.IDLE, Status.DND, Status.IDLE);
        assertThat(opened)
                .extracting(p -> statusOf(p.id()))
                .containsExactly("working/hook", "idle/jsonl", "dnd/hook", "idle/jsonl");
        assertThat(appliedAt(sharedHook)).isEqualTo(toDb(now));
        assertThat(appliedAt(otherHook)).isEqualTo(toDb(now));
        assertThat(presences.liveStatuses(opened.stream().map(Presence::id).toList()))
                .containsOnlyKeys(opened.stream().map(Presence::id).toList());
    }

    @Test
    void a1_touchIsCoalescedAndWrittenByTheFlush() {
        Presence opened = presences.open(memberId, "sess-1", 1, cwd("ping"));
        Instant connected = clock.instant();
        clock.advance(Duration.ofSeconds(20));
        Instant pong = clock.instant();

        presences.touch(opened.id());
        clock.advance(Duration.ofSeconds(1));
        presences.touch(opened.id());
        presences.touch(opened.id());

        assertThat(instant(row(opened.id()).get("last_ping_at"))).isEqualTo(connected);
        local.flushPings();
        assertThat(instant(row(opened.id()).get("last_ping_at"))).isEqualTo(pong.plusSeconds(1));
    }

    @Test
    void closeSetsDisconnectedAtOnceAndKeepsAPongNotYetWritten() {
        Presence opened = presences.open(memberId, "sess-1", 1, cwd("close"));
        clock.advance(Duration.ofSeconds(7));
        presences.touch(opened.id());
        clock.advance(Duration.ofSeconds(1));
        Instant closedAt = clock.instant();

        presences.close(opened.id());
        clock.advance(Duration.ofSeconds(5));
        presences.close(opened.id());

        Map<String, Object> row = row(opened.id());
        assertThat(instant(row.get("disconnected_at"))).isEqualTo(closedAt);
        assertThat(instant(row.get("last_ping_at"))).isEqualTo(closedAt.minusSeconds(1));
        assertThat(presences.findLive(opened.id())).isEmpty();
        assertThat(local.openIds()).doesNotContain(opened.id());
    }

    @Test
    void a8_setStatusIsManualAndAnnouncedAfterCommit() {
        Presence opened = presences.open(memberId, "sess-1", 1, cwd("manual"));

        presences.setManualStatus(opened.id(), memberId, Status.DND);

        assertThat(statusOf(opened.id())).isEqualTo("dnd/manual");
        assertThat(events)
                .containsExactly(new Seen(new PresenceStatusChanged(opened.id(), memberId, Status.DND), "dnd"));
        assertThat(presences.findLive(opened.id()).orElseThrow().status()).isEqualTo(Status.DND);
    }

    @Test
    void a8_onlySetStatusLeavesDnd() {
        String cwd = cwd("dnd");
        Presence opened = presences.open(memberId, "sess-1", 1, cwd);
        presences.setManualStatus(opened.id(), memberId, Status.DND);

        hooks.apply(1, cwd, Status.IDLE);
        assertThat(statusOf(opened.id())).isEqualTo("dnd/manual");

        presences.setManualStatus(opened.id(), memberId, Status.IDLE);
        assertThat(statusOf(opened.id())).isEqualTo("idle/manual");
        assertThat(eventsFor(opened.id()))
                .extracting(PresenceStatusChanged::status)
                .containsExactly(Status.DND, Status.IDLE);
    }

    @Test
    void a8Rule3_setStatusRepeatingAFreshHookStatusKeepsTheHookSource() {
        String cwd = cwd("rule3");
        Presence opened = presences.open(memberId, "sess-1", 1, cwd);
        hooks.apply(1, cwd, Status.WORKING);
        clock.advance(Duration.ofSeconds(10));

        presences.setManualStatus(opened.id(), memberId, Status.WORKING);
        Map<String, Object> row = row(opened.id());
        assertThat(row.get("source")).isEqualTo("hook");
        assertThat(instant(row.get("status_updated_at"))).isEqualTo(clock.instant());

        clock.advance(Duration.ofSeconds(31));
        presences.setManualStatus(opened.id(), memberId, Status.WORKING);
        assertThat(statusOf(opened.id())).isEqualTo("working/manual");
        assertThat(eventsFor(opened.id()))
                .extracting(PresenceStatusChanged::status)
                .containsExactly(Status.WORKING);
    }

    @Test
    void setStatusForAnotherMembersPresenceChangesNothing() {
        Presence opened = presences.open(memberId, "sess-1", 1, cwd("other"));

        presences.setManualStatus(opened.id(), "someone-else", Status.DND);

        assertThat(statusOf(opened.id())).isEqualTo("idle/jsonl");
        assertThat(events).isEmpty();
    }

    @Test
    void aStatusWriteThatRollsBackAnnouncesNothing() {
        Presence opened = presences.open(memberId, "sess-1", 1, cwd("rollback"));

        tx.executeWithoutResult(status -> {
            writer.writeLocked(
                    rows.lockLive(opened.id()).orElseThrow(), Status.DND, StatusSource.MANUAL, clock.instant());
            status.setRollbackOnly();
        });

        assertThat(statusOf(opened.id())).isEqualTo("idle/jsonl");
        assertThat(events).isEmpty();
    }

    @Test
    void a8_concurrentWritersDecideOnTheCommittedStatus() throws Exception {
        String cwd = cwd("race");
        Presence opened = presences.open(memberId, "sess-1", 1, cwd);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

        CompletableFuture<Void> manual = CompletableFuture.runAsync(
                () -> tx.executeWithoutResult(status -> {
                    PresenceRows.Locked row = rows.lockLive(opened.id()).orElseThrow();
                    locked.countDown();
                    awaitLatch(release);
                    writer.writeLocked(row, Status.DND, StatusSource.MANUAL, clock.instant());
                }),
                threads);
        assertThat(locked.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<HookStatuses.Outcome> hook =
                CompletableFuture.supplyAsync(() -> hooks.apply(1, cwd, Status.WORKING), threads);
        // The hook must wait for the set_status transaction instead of deciding on "idle".
        await().atMost(Duration.ofSeconds(5)).until(this::aPresenceQueryWaitsForALock);
        assertThat(hook).isNotDone();
        release.countDown();
        manual.get(5, TimeUnit.SECONDS);
        hook.get(5, TimeUnit.SECONDS);
        threads.close();

        assertThat(statusOf(opened.id())).isEqualTo("dnd/manual");
        await().atMost(Duration.ofSeconds(2))
                .until(() -> !eventsFor(opened.id()).isEmpty());
        assertThat(eventsFor(opened.id()))
                .extracting(PresenceStatusChanged::status)
                .containsExactly(Status.DND);
    }

    private String pending(int pid, String cwd, String status, Instant createdAt) {
        String id = "ps-" + UUID.randomUUID();
        jdbc.update(
                "INSERT INTO mesh.pending_status (id, pid, cwd, status, status_source, created_at)"
                        + " VALUES (?, ?, ?, ?::mesh.presence_status, 'hook', ?)",
                id,
                pid,
                cwd,
                status,
                toDb(createdAt));
        return id;
    }

    private LocalDateTime appliedAt(String pendingId) {
        return jdbc.queryForObject(
                "SELECT applied_at FROM mesh.pending_status WHERE id = ?", LocalDateTime.class, pendingId);
    }

    private boolean aPresenceQueryWaitsForALock() {
        return jdbc.queryForObject(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND wait_event_type = 'Lock' AND query LIKE '%FROM mesh.presence%'",
                        Integer.class)
                > 0;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
