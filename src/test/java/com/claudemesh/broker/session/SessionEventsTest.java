package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.mesh.MemberRevoked;
import com.claudemesh.broker.mesh.MeshArchived;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;

/** Revocation and archiving close live sessions; silence closes a session (A.1). */
class SessionEventsTest extends SessionTestBase {

    @Autowired
    ApplicationEventPublisher events;

    @Test
    void revokedMembersSessionsAreClosed1008Revoked_othersStay() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        WsClient alices = online(alice);
        WsClient bob1 = online(bob);
        WsClient bob2 = online(bob);

        seeds.revoke(bob);
        events.publishEvent(new MemberRevoked(mesh, bob.id()));

        assertThat(bob1.awaitClose()).isEqualTo(new WsClient.Closed(1008, "revoked"));
        assertThat(bob2.awaitClose()).isEqualTo(new WsClient.Closed(1008, "revoked"));
        awaitPresenceClosedFor(bob);
        alices.send("c1", "*", "now", "bg==", "Yw==");
        assertThat(alices.next().path("type").asString()).isEqualTo("ack");
    }

    @Test
    void archivedMeshStopsBeingServed() {
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        WsClient alices = online(alice);

        seeds.archive(mesh);
        events.publishEvent(new MeshArchived(mesh));

        assertThat(alices.awaitClose()).isEqualTo(new WsClient.Closed(1008, "mesh_archived"));
        awaitPresenceClosedFor(alice);
    }

    @Test
    void a1_sessionSilentFor75sIsClosed_andPingsKeepItsPresenceFresh() {
        MeshSeeds.SeededMember alice = seeds.member(seeds.mesh(), "alice");
        WsClient alices = online(alice);

        clock.advance(Duration.ofSeconds(31));
        // The keepalive ping's pong refreshes last_ping_at (to the test clock's time); presence
        // coalesces those writes and flushes them every 5 s.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> jdbc.queryForObject(
                        "SELECT last_ping_at >= connected_at + interval '31 seconds' FROM mesh.presence"
                                + " WHERE member_id = ?",
                        Boolean.class,
                        alice.id()));
        assertThat(alices.isClosed()).isFalse();

        clock.advance(Duration.ofSeconds(76));

        assertThat(alices.awaitClose()).isEqualTo(new WsClient.Closed(1008, "idle_timeout"));
        awaitPresenceClosedFor(alice);
    }
}
