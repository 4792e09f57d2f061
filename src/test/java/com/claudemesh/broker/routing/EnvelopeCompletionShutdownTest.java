package com.claudemesh.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.db.SqlPart;
import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A broker that stops completes the envelopes its last confirmations noted (PROTOCOL A.6, A.13)
 * instead of leaving them to the upkeep, which reaches them only when they are as old as the
 * retention (docs/delivery.md, "Completion").
 */
class EnvelopeCompletionShutdownTest {

    private final TestDatabase.Endpoint db = StandaloneBroker.newDatabase();

    @AfterEach
    void dropDatabase() throws Exception {
        StandaloneBroker.drop(db);
    }

    @Test
    void a13_envelopesConfirmedJustBeforeTheStopAreCompletedByIt() throws Exception {
        StandaloneBroker broker = StandaloneBroker.start(db);
        ApplicationContext context = broker.context();
        MeshSeeds seeds = new MeshSeeds(context.getBean(JdbcTemplate.class), context.getBean(Ed25519.class));
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        context.getBean(DeliveryStore.class)
                .insert(
                        List.of(new DeliveryStore.NewEnvelope(
                                id,
                                mesh,
                                alice.id(),
                                bob.pubkey(),
                                Priority.NEXT,
                                "bm9uY2U=",
                                "Y2lwaGVy",
                                now,
                                now.plus(Duration.ofHours(1)))),
                        List.of(new DeliveryStore.NewDelivery(id, bob.id(), Priority.NEXT, null)),
                        now,
                        new SqlPart("SELECT 1", List.of()),
                        List.of());

        // Noted for the completion job, which runs once a second: the stop comes before it.
        context.getBean(Confirmations.class).confirm(bob.id(), List.of(id)).join();
        broker.close();

        try (Connection c = db.open();
                PreparedStatement s =
                        c.prepareStatement("SELECT delivered_at IS NOT NULL FROM mesh.message_queue WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        }
    }
}
