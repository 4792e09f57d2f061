package com.claudemesh.broker.routing;

import static com.claudemesh.broker.db.UtcTimestamps.toDb;
import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.db.SqlPart;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.MeshSeeds;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
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

/** The SQL of PROTOCOL A.6: claims with SKIP LOCKED, the lease, confirmation, expiry and purge. */
class DeliveryStoreTest extends BrokerIntegrationTest {

    private static final List<Priority> ALL = List.of(Priority.values());

    @Autowired
    DeliveryStore store;

    @Autowired
    DeliveryClaims claims;

    @Autowired
    QueueUpkeep upkeep;

    @Autowired
    Presences presences;

    @Autowired
    Ed25519 ed25519;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    DeliveryMaintenance maintenance;

    @Autowired
    Dispatcher dispatcher;

    @Autowired
    EnvelopeCompletion completion;

    @Autowired
    Undeliverable undeliverable;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    BrokerProperties properties;

    private MeshSeeds.SeededMember alice;
    private MeshSeeds.SeededMember bob;
    private MeshSeeds.SeededMember carol;

    @BeforeEach
    void mesh() {
        truncateAll();
        MeshSeeds seeds = new MeshSeeds(jdbc, ed25519);
        String mesh = seeds.mesh();
        alice = seeds.member(mesh, "alice");
        bob = seeds.member(mesh, "bob");
        carol = seeds.member(mesh, "carol");
    }

    @Test
    void a6_concurrentClaimsOfOneMemberNeverHandOutADeliveryTwice() throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            sent.add(envelope(Priority.NEXT, List.of(bob.id())));
        }
        int claimers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<List<String>>> results = new ArrayList<>();
        for (int c = 0; c < claimers; c++) {
            String presence = presences.open(bob.id(), "s" + c, c, "/tmp").id();
            results.add(CompletableFuture.supplyAsync(() -> {
                await(start);
                List<String> mine = new ArrayList<>();
                List<Push> batch;
                do {
                    batch = claims.claim(bob.id(), presence, ALL, 7, clock.instant());
                    batch.forEach(p -> mine.add(p.messageId()));
                } while (!batch.isEmpty());
                return mine;
            }));
        }
        start.countDown();
        List<String> claimed = new ArrayList<>();
        for (CompletableFuture<List<String>> result : results) {
            claimed.addAll(result.get());
        }

        assertThat(claimed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void a6_claimsComeInSendOrderAndRespectThePrioritiesAdmitted() {
        String next = envelope(Priority.NEXT, List.of(bob.id()));
        String now1 = envelope(Priority.NOW, List.of(bob.id()));
        String low = envelope(Priority.LOW, List.of(bob.id()));
        String now2 = envelope(Priority.NOW, List.of(bob.id()));
        String presence = presences.open(bob.id(), "s", 1, "/tmp").id();

        assertThat(claims.claim(bob.id(), presence, List.of(Priority.NOW), 10, clock.instant()).stream()
                        .map(Push::messageId))
                .containsExactly(now1, now2);
        assertThat(claims.claim(bob.id(), presence, ALL, 10, clock.instant()).stream()
                        .map(Push::messageId))
                .containsExactly(next, low);
    }

    @Test
    void a6_claimsOfAClosedOrSilentPresenceLapse_releasedClaimsAreClaimableAgain() {
        String id = envelope(Priority.NOW, List.of(bob.id()));
        String first = presences.open(bob.id(), "s1", 1, "/tmp").id();
        String second = presences.open(bob.id(), "s2", 2, "/tmp").id();
        assertThat(claims.claim(bob.id(), first, ALL, 10, clock.instant())).hasSize(1);
        assertThat(claims.claim(bob.id(), second, ALL, 10, clock.instant())).isEmpty();

        // The claimer's broker died: its presence was never closed and stopped being refreshed.
        clock.advance(DeliveryClaims.CLAIM_LEASE.plusSeconds(1));
        presences.touch(second);
        assertThat(claims.claim(bob.id(), second, ALL, 10, clock.instant()))
                .extracting(Push::messageId)
                .containsExactly(id);

        claims.releaseAll(Map.of(second, bob.id()));
        presences.touch(first);
        assertThat(claims.claim(bob.id(), first, ALL, 10, clock.instant())).hasSize(1);
    }

    @Test
    void a6_theEndOfASessionGivesBackItsOwnClaimsOnly() {
        String mine = envelope(Priority.NOW, List.of(bob.id()));
        String theirs = envelope(Priority.NOW, List.of(bob.id()));
        String carols = envelope(Priority.NOW, List.of(carol.id()));
        String ended = presences.open(bob.id(), "s1", 1, "/tmp").id();
        String live = presences.open(bob.id(), "s2", 2, "/tmp").id();
        String carolsSession = presences.open(carol.id(), "s3", 3, "/tmp").id();
        assertThat(claims.claim(bob.id(), ended, ALL, 1, clock.instant()))
                .extracting(Push::messageId)
                .containsExactly(mine);
        assertThat(claims.claim(bob.id(), live, ALL, 1, clock.instant()))
                .extracting(Push::messageId)
                .containsExactly(theirs);
        assertThat(claims.claim(carol.id(), carolsSession, ALL, 1, clock.instant()))
                .hasSize(1);

        assertThat(claims.releaseAll(Map.of(ended, bob.id()))).isEqualTo(1);

        String next = presences.open(bob.id(), "s4", 4, "/tmp").id();
        assertThat(claims.claim(bob.id(), next, ALL, 10, clock.instant()))
                .extracting(Push::messageId)
                .containsExactly(mine);
        assertThat(jdbc.queryForObject(
                        "SELECT claimed_by FROM mesh.delivery WHERE message_id = ?", String.class, carols))
                .isEqualTo(carolsSession);
    }

    @Test
    void a6_broadcastEnvelopeIsDeliveredOnceEveryDeliveryIsConfirmed_evenWhenConfirmedConcurrently() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(envelope(Priority.NOW, List.of(bob.id(), carol.id())));
        }
        ids.forEach(id -> dispatcher.confirm(bob.id(), List.of(id)).join());
        completion.completeConfirmed();
        assertThat(deliveredEnvelopes(ids)).isZero();

        CountDownLatch start = new CountDownLatch(1);
        List<String> reversed = new ArrayList<>(ids);
        Collections.reverse(reversed);
        CompletableFuture<Void> carols = CompletableFuture.runAsync(() -> {
            await(start);
            reversed.forEach(id -> dispatcher.confirm(carol.id(), List.of(id)).join());
        });
        CompletableFuture<Void> completions = CompletableFuture.runAsync(() -> {
            await(start);
            for (int i = 0; i < 20; i++) {
                completion.completeConfirmed();
            }
        });
        start.countDown();
        carols.get();
        completions.get();
        completion.completeConfirmed();

        assertThat(deliveredEnvelopes(ids)).isEqualTo(50);
    }

    @Test
    void a6_confirmationLeavesTheEnvelopeRowUnlocked() throws Exception {
        String id = envelope(Priority.NOW, List.of(bob.id(), carol.id()));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        CompletableFuture<Void> holder = CompletableFuture.runAsync(
                () -> transaction.executeWithoutResult(s -> {
                    jdbc.queryForList("SELECT id FROM mesh.message_queue WHERE id = ? FOR UPDATE", id);
                    locked.countDown();
                    await(done);
                }),
                threads);
        await(locked);
        try {
            // With the envelope row held elsewhere, both recipients still confirm at once.
            CompletableFuture.runAsync(
                            () -> {
                                confirm(bob.id(), List.of(id), clock.instant());
                                confirm(carol.id(), List.of(id), clock.instant());
                            },
                            threads)
                    .get(5, TimeUnit.SECONDS);
        } finally {
            done.countDown();
            holder.get();
            threads.shutdown();
        }
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.delivery WHERE message_id = ? AND delivered_at IS NOT NULL",
                        Integer.class,
                        id))
                .isEqualTo(2);
    }

    @Test
    void a6_theUpkeepCompletesEnvelopesWhoseConfirmationsWereNeverNoted_beforeThePurgeConsidersThem() {
        Instant created = clock.instant();
        String both = envelope(Priority.NEXT, List.of(bob.id(), carol.id()));
        String halfExpired = envelope(
                Priority.NEXT, List.of(bob.id(), carol.id()), clock.instant().plusSeconds(30));
        String expiredOnly =
                envelope(Priority.NEXT, List.of(carol.id()), clock.instant().plusSeconds(30));
        clock.advance(Duration.ofSeconds(10));
        Instant first = clock.instant();
        confirm(bob.id(), List.of(both, halfExpired), first);
        clock.advance(Duration.ofSeconds(30));
        Instant last = clock.instant();
        confirm(carol.id(), List.of(both), last);

        maintenance.expireAndPurge();
        assertThat(deliveredEnvelopes(List.of(both, halfExpired)))
                .as("younger than the retention: left to the completion job of the confirming process")
                .isZero();

        // The purge's cutoff is now 5 s after the envelopes' creation and before every delivery.
        clock.set(created.plus(properties.messageRetention()).plusSeconds(5));
        maintenance.expireAndPurge();

        assertThat(jdbc.queryForObject(
                        "SELECT delivered_at FROM mesh.message_queue WHERE id = ?", LocalDateTime.class, both))
                .isEqualTo(toDb(last.truncatedTo(ChronoUnit.MICROS)));
        assertThat(jdbc.queryForObject(
                        "SELECT delivered_at FROM mesh.message_queue WHERE id = ?", LocalDateTime.class, halfExpired))
                .isEqualTo(toDb(first.truncatedTo(ChronoUnit.MICROS)));
        assertThat(jdbc.queryForObject(
                        "SELECT delivered_at IS NULL FROM mesh.message_queue WHERE id = ?", Boolean.class, expiredOnly))
                .isTrue();
    }

    @Test
    void v34_completingAnEnvelopeIsAHotUpdate_noIndexOfTheQueueNamesDeliveredAt() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(envelope(Priority.NEXT, List.of(bob.id())));
        }
        confirm(bob.id(), ids, clock.instant());

        // The backend's own counters, read before and after inside one transaction: the backend
        // publishes them only between transactions, so the difference is this statement's alone.
        String counters = "SELECT unnest(ARRAY[pg_stat_get_xact_tuples_updated(c.oid),"
                + " pg_stat_get_xact_tuples_hot_updated(c.oid)])"
                + " FROM pg_class c WHERE c.oid = 'mesh.message_queue'::regclass";
        List<Long> updatedAndHot = transaction.execute(s -> {
            List<Long> before = jdbc.queryForList(counters, Long.class);
            store.complete(ids);
            List<Long> after = jdbc.queryForList(counters, Long.class);
            return List.of(after.get(0) - before.get(0), after.get(1) - before.get(1));
        });

        assertThat(updatedAndHot).as("rows updated, of them HOT").containsExactly(20L, 20L);
        assertThat(deliveredEnvelopes(ids)).isEqualTo(20);
    }

    private int deliveredEnvelopes(List<String> ids) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM mesh.message_queue WHERE id = ANY (?::text[]) AND delivered_at IS NOT NULL",
                Integer.class,
                (Object) ids.toArray(String[]::new));
    }

    @Test
    void a6_envelopesExpireAfterTheirTtlAndArePurgedAfterRetention() {
        String old = envelope(Priority.NEXT, List.of(bob.id()));
        String delivered = envelope(Priority.NEXT, List.of(carol.id()));
        confirm(carol.id(), List.of(delivered), clock.instant());
        store.complete(List.of(delivered));
        String fresh =
                envelope(Priority.NEXT, List.of(bob.id()), clock.instant().plus(Duration.ofDays(7)));

        Instant later = clock.instant().plus(Duration.ofHours(2));
        assertThat(upkeep.expire(later)).isEqualTo(1);
        String presence = presences.open(bob.id(), "s", 1, "/tmp").id();
        assertThat(claims.claim(bob.id(), presence, ALL, 10, later))
                .extracting(Push::messageId)
                .containsExactly(fresh);
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.delivery WHERE message_id = ? AND expired_at IS NOT NULL",
                        Integer.class,
                        old))
                .isEqualTo(1);

        upkeep.purge(later.minus(Duration.ofMinutes(30)));

        assertThat(jdbc.queryForList(
                        "SELECT id FROM mesh.message_queue WHERE id = ANY (?::text[])", String.class, (Object)
                                new String[] {old, delivered, fresh}))
                .containsExactly(fresh);
    }

    @Test
    void a6_scheduledUpkeepExpiresByTtlAndTheQueueDepthGaugeCountsPendingDeliveries() {
        envelope(Priority.NEXT, List.of(bob.id()));
        envelope(Priority.NOW, List.of(bob.id(), carol.id()));
        String due = envelope(Priority.LOW, List.of(carol.id()), clock.instant().minusSeconds(1));

        maintenance.expireAndPurge();
        maintenance.refreshQueueDepth();

        assertThat(meters.get("broker.queue.depth").gauge().value()).isEqualTo(3);
        assertThat(jdbc.queryForObject(
                        "SELECT expired_at IS NOT NULL FROM mesh.delivery WHERE message_id = ?", Boolean.class, due))
                .isTrue();
    }

    @Test
    void a6_anUndeliverableDeliveryIsRetiredForGood_withAnAuditEventAndAMetric() {
        String poison = envelope(Priority.NOW, List.of(bob.id()));
        String next = envelope(Priority.NOW, List.of(bob.id()));
        String presence = presences.open(bob.id(), "s", 1, "/tmp").id();
        List<Push> claimed = claims.claim(bob.id(), presence, ALL, 10, clock.instant());
        double before = meters.get("broker.deliveries.dropped")
                .tag("reason", Undeliverable.UNENCODABLE)
                .counter()
                .count();

        undeliverable.drop(claimed.getFirst(), presence, Undeliverable.UNENCODABLE);
        claims.releaseAll(Map.of(presence, bob.id()));

        String later = presences.open(bob.id(), "s2", 2, "/tmp").id();
        assertThat(claims.claim(bob.id(), later, ALL, 10, clock.instant()))
                .extracting(Push::messageId)
                .containsExactly(next);
        assertThat(jdbc.queryForObject(
                        "SELECT expired_at IS NOT NULL AND delivered_at IS NULL FROM mesh.delivery WHERE message_id = ?",
                        Boolean.class,
                        poison))
                .isTrue();
        assertThat(jdbc.queryForMap(
                        "SELECT target_peer_id, metadata->>'message_id' AS message_id, metadata->>'reason' AS reason"
                                + " FROM mesh.audit_log WHERE event_type = 'delivery_dropped'"))
                .containsEntry("target_peer_id", bob.id())
                .containsEntry("message_id", poison)
                .containsEntry("reason", "unencodable");
        assertThat(meters.get("broker.deliveries.dropped")
                        .tag("reason", Undeliverable.UNENCODABLE)
                        .counter()
                        .count())
                .isEqualTo(before + 1);
        store.completeCreatedBefore(clock.instant().plusSeconds(1));
        assertThat(jdbc.queryForObject(
                        "SELECT delivered_at FROM mesh.message_queue WHERE id = ?", LocalDateTime.class, poison))
                .as("a dropped delivery is never counted as delivered")
                .isNull();
    }

    @Test
    void theOldestUndeliveredAgeGaugeFollowsTheOldestPendingDelivery() {
        maintenance.refreshQueueDepth();
        assertThat(meters.get("broker.queue.oldest.age").gauge().value()).isZero();

        String first = envelope(Priority.NEXT, List.of(bob.id()));
        clock.advance(Duration.ofSeconds(90));
        String second = envelope(Priority.NOW, List.of(carol.id()));
        String expired =
                envelope(Priority.LOW, List.of(carol.id()), clock.instant().minusSeconds(1));
        jdbc.update("UPDATE mesh.message_queue SET created_at = created_at - interval '1 day' WHERE id = ?", expired);
        maintenance.expireAndPurge();
        clock.advance(Duration.ofSeconds(30));
        maintenance.refreshQueueDepth();

        assertThat(meters.get("broker.queue.oldest.age").gauge().value()).isEqualTo(120.0);

        confirm(bob.id(), List.of(first), clock.instant());
        maintenance.refreshQueueDepth();
        assertThat(meters.get("broker.queue.oldest.age").gauge().value()).isEqualTo(30.0);

        confirm(carol.id(), List.of(second), clock.instant());
        maintenance.refreshQueueDepth();
        assertThat(meters.get("broker.queue.oldest.age").gauge().value()).isZero();
    }

    private String envelope(Priority priority, List<String> recipients) {
        return envelope(priority, recipients, clock.instant().plus(Duration.ofHours(1)));
    }

    private String envelope(Priority priority, List<String> recipients, Instant expiresAt) {
        String id = UUID.randomUUID().toString();
        store.insert(
                List.of(new DeliveryStore.NewEnvelope(
                        id,
                        alice.meshId(),
                        alice.id(),
                        recipients.size() == 1 ? bob.pubkey() : "*",
                        priority,
                        "bm9uY2U=",
                        "Y2lwaGVy",
                        clock.instant(),
                        expiresAt)),
                recipients.stream()
                        .map(member -> new DeliveryStore.NewDelivery(id, member, priority, null))
                        .toList(),
                clock.instant(),
                new SqlPart("SELECT 1", List.of()),
                List.of());
        return id;
    }

    private void confirm(String memberId, List<String> messageIds, Instant now) {
        store.confirm(Collections.nCopies(messageIds.size(), memberId), messageIds, now);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
