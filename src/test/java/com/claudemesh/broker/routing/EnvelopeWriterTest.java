package com.claudemesh.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.db.Reachability;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.MeshSeeds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Group commit of sends (PROTOCOL A.4: acked only once committed; A.6: one delivery per recipient, in order). */
class EnvelopeWriterTest extends BrokerIntegrationTest {

    @Autowired
    EnvelopeWriter writer;

    @Autowired
    Ed25519 ed25519;

    @Autowired
    DeliveryStore store;

    @Autowired
    DeliveryClaims claims;

    @Autowired
    Confirmations confirmations;

    @Autowired
    Presences presences;

    @Autowired
    AuditLog audit;

    @Autowired
    BrokerMetrics metrics;

    @Autowired
    Reachability reachability;

    private MeshSeeds.SeededMember alice;
    private MeshSeeds.SeededMember bob;

    @BeforeEach
    void mesh() {
        truncateAll();
        MeshSeeds seeds = new MeshSeeds(jdbc, ed25519);
        String mesh = seeds.mesh();
        alice = seeds.member(mesh, "alice");
        bob = seeds.member(mesh, "bob");
    }

    @Test
    void a4_concurrentSendsShareTransactions_andEveryOneIsCommittedBeforeItCompletes() throws Exception {
        List<EnvelopeWriter.Submission> submissions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            submissions.add(submission(alice.id(), List.of(bob.id())));
        }
        List<CompletableFuture<Void>> committed =
                submissions.stream().map(writer::submit).toList();
        CompletableFuture.allOf(committed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        List<String> ids =
                submissions.stream().map(s -> s.envelope().messageId()).toList();
        // xmin is the inserting transaction: 200 sends queued at once need far fewer than 200 commits.
        Integer transactions = jdbc.queryForObject(
                "SELECT count(DISTINCT xmin::text) FROM mesh.message_queue WHERE id = ANY (?::text[])",
                Integer.class,
                (Object) ids.toArray(String[]::new));
        assertThat(transactions).isBetween(1, 20);
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.audit_log WHERE event_type = 'message_routed'", Integer.class))
                .isEqualTo(200);
        // The deliveries of one recipient keep the order in which the sends were handed over.
        assertThat(jdbc.queryForList(
                        "SELECT message_id FROM mesh.delivery WHERE member_id = ? ORDER BY seq",
                        String.class,
                        bob.id()))
                .containsExactlyElementsOf(ids);
    }

    @Test
    void a4_anEnvelopeThatCannotBeStoredFailsAlone_theOthersOfItsBatchAreCommitted() throws Exception {
        List<EnvelopeWriter.Submission> good = new ArrayList<>();
        List<CompletableFuture<Void>> committed = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            EnvelopeWriter.Submission submission = submission(alice.id(), List.of(bob.id()));
            good.add(submission);
            committed.add(writer.submit(submission));
            if (i == 20) {
                // A recipient that is no member: the delivery's foreign key refuses it.
                CompletableFuture<Void> bad = writer.submit(submission(alice.id(), List.of("no-such-member")));
                committed.add(bad.handle((ok, failure) -> {
                    assertThat(failure).isNotNull();
                    return null;
                }));
            }
        }
        CompletableFuture.allOf(committed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.message_queue", Integer.class))
                .isEqualTo(40);
        assertThat(jdbc.queryForList("SELECT message_id FROM mesh.delivery ORDER BY seq", String.class))
                .containsExactlyElementsOf(
                        good.stream().map(s -> s.envelope().messageId()).toList());
    }

    @Test
    void a5_thePushFramesOfABroadcastAreOneFrame_encodedOnceForAllItsRecipients() throws Exception {
        MeshSeeds.SeededMember carol = new MeshSeeds(jdbc, ed25519).member(alice.meshId(), "carol");
        RecordingTarget bobs =
                new RecordingTarget(presences.open(bob.id(), "s1", 1, "/tmp").id(), bob.id());
        RecordingTarget carols =
                new RecordingTarget(presences.open(carol.id(), "s2", 2, "/tmp").id(), carol.id());
        LiveSessions sessions = new RecordingSessions(bobs, carols);
        Dispatcher dispatcher = new Dispatcher(claims, confirmations, sessions, clock);
        EnvelopeWriter broadcasting = new EnvelopeWriter(
                store, audit, dispatcher, sessions, metrics, clock, reachability, new SimpleMeterRegistry());
        try {
            EnvelopeWriter.Submission broadcast = submission(alice.id(), List.of(bob.id(), carol.id()));

            broadcasting.submit(broadcast).get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> bobs.pushes().size() == 1 && carols.pushes().size() == 1);
            Push toBob = bobs.pushes().getFirst();
            Push toCarol = carols.pushes().getFirst();
            assertThat(toBob.messageId()).isEqualTo(broadcast.envelope().messageId());
            assertThat(toCarol.memberId()).isEqualTo(carol.id());
            assertThat(toBob.encoded()).isSameAs(toCarol.encoded());
            String frame = toBob.encoded().text(() -> "{\"type\":\"push\"}");
            assertThat(toCarol.encoded().text(() -> "encoded again")).isSameAs(frame);
        } finally {
            broadcasting.destroy();
            dispatcher.destroy();
        }
    }

    private EnvelopeWriter.Submission submission(String senderId, List<String> recipients) {
        Instant now = clock.instant();
        return new EnvelopeWriter.Submission(
                new DeliveryStore.NewEnvelope(
                        UUID.randomUUID().toString(),
                        alice.meshId(),
                        senderId,
                        bob.pubkey(),
                        Priority.NOW,
                        "bm9uY2U=",
                        "Y2lwaGVy",
                        now,
                        now.plus(Duration.ofHours(1))),
                alice.pubkey(),
                recipients,
                false,
                new CompletableFuture<>());
    }
}
