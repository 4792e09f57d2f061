package com.claudemesh.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.db.SqlPart;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.MeshSeeds;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * PROTOCOL A.6 order for hand-overs ({@link Dispatcher}): a delivery claimed for its session in
 * its insert and handed over to the member's drain reaches the session only after everything older
 * that the drain's pass claims from the table. The dispatcher runs on the real store, with one
 * {@link RecordingTarget}.
 */
class DispatcherHandOverTest extends BrokerIntegrationTest {

    @Autowired
    DeliveryStore store;

    @Autowired
    DeliveryClaims claims;

    @Autowired
    Confirmations confirmations;

    @Autowired
    Presences presences;

    @Autowired
    Ed25519 ed25519;

    private MeshSeeds.SeededMember alice;
    private MeshSeeds.SeededMember bob;
    private RecordingTarget session;
    private Dispatcher dispatcher;

    @BeforeEach
    void mesh() {
        truncateAll();
        MeshSeeds seeds = new MeshSeeds(jdbc, ed25519);
        String mesh = seeds.mesh();
        alice = seeds.member(mesh, "alice");
        bob = seeds.member(mesh, "bob");
        session = new RecordingTarget(presences.open(bob.id(), "s1", 1, "/tmp").id(), bob.id());
        dispatcher = new Dispatcher(claims, confirmations, new RecordingSessions(session), clock);
    }

    @AfterEach
    void stop() {
        dispatcher.destroy();
    }

    @Test
    void a6_aHandOverIsPushedAfterTheOlderDeliveriesItsDrainClaims() {
        String first = envelope(null);
        String second = envelope(null);
        String third = envelope(session.presenceId());

        dispatcher.handOver(bob.id(), List.of(new Dispatcher.HandedOver(session, push(third))));

        await().atMost(Duration.ofSeconds(10)).until(() -> session.pushed().size() >= 3);
        assertThat(session.pushed()).containsExactly(first, second, third);
    }

    @Test
    void a6_onceItsHandOverIsPushed_theMemberIsQuietAgain() {
        String only = envelope(session.presenceId());

        dispatcher.handOver(bob.id(), List.of(new Dispatcher.HandedOver(session, push(only))));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> dispatcher.way(bob.id(), Priority.NOW).equals(new Way.Direct(session)));
        assertThat(session.pushed()).containsExactly(only);
    }

    /** An envelope from Alice to Bob; claimed for {@code claimedBy} in its insert, or queued when null. */
    private String envelope(String claimedBy) {
        String id = UUID.randomUUID().toString();
        store.insert(
                List.of(new DeliveryStore.NewEnvelope(
                        id,
                        alice.meshId(),
                        alice.id(),
                        bob.pubkey(),
                        Priority.NOW,
                        "bm9uY2U=",
                        "Y2lwaGVy",
                        clock.instant(),
                        clock.instant().plus(Duration.ofHours(1)))),
                List.of(new DeliveryStore.NewDelivery(id, bob.id(), Priority.NOW, claimedBy)),
                clock.instant(),
                new SqlPart("SELECT 1", List.of()),
                List.of());
        return id;
    }

    private Push push(String messageId) {
        return new Push(
                bob.id(),
                messageId,
                alice.meshId(),
                alice.pubkey(),
                Priority.NOW,
                "bm9uY2U=",
                "Y2lwaGVy",
                clock.instant(),
                clock.instant(),
                false);
    }
}
