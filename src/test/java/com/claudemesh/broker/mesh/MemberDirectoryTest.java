package com.claudemesh.broker.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.MeshSeeds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionTemplate;

/** Members from memory: the TTL bounds what another process changed, events and joins act at once. */
class MemberDirectoryTest extends BrokerIntegrationTest {

    @Autowired
    MemberDirectory directory;

    @Autowired
    MemberEnrolment enrolment;

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    Ed25519 ed25519;

    private MeshSeeds seeds;
    private String mesh;
    private MeshSeeds.SeededMember alice;

    @BeforeEach
    void mesh() {
        seeds = new MeshSeeds(jdbc, ed25519);
        mesh = seeds.mesh();
        alice = seeds.member(mesh, "alice");
    }

    @Test
    void activeMembersAreReadFromMemoryUntilTheTtl() {
        assertThat(directory.activeMembers(mesh)).extracting(Member::id).containsExactly(alice.id());
        // Joined through another broker process: no event reaches this one.
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");

        assertThat(directory.activeMembers(mesh)).extracting(Member::id).containsExactly(alice.id());
        clock.advance(MemberDirectory.TTL);
        assertThat(directory.activeMembers(mesh)).extracting(Member::id).containsExactly(alice.id(), bob.id());
    }

    @Test
    void aRevocationOnThisProcessClosesTheDoorAtOnce() {
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        assertThat(directory.findActive(mesh, bob.pubkey())).isPresent();

        seeds.revoke(bob);
        events.publishEvent(new MemberRevoked(mesh, bob.id()));

        assertThat(directory.findActive(mesh, bob.pubkey())).isEmpty();
        assertThat(directory.activeMembers(mesh)).extracting(Member::id).containsExactly(alice.id());
    }

    @Test
    void aRevocationOnAnotherProcessClosesTheDoorWithinTheTtl() {
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        assertThat(directory.findActive(mesh, bob.pubkey())).isPresent();

        seeds.revoke(bob);

        assertThat(directory.findActive(mesh, bob.pubkey())).isPresent();
        clock.advance(MemberDirectory.TTL);
        assertThat(directory.findActive(mesh, bob.pubkey())).isEmpty();
    }

    @Test
    void anArchiveClosesTheMeshAtOnce() {
        assertThat(directory.findActive(mesh, alice.pubkey())).isPresent();

        seeds.archive(mesh);
        events.publishEvent(new MeshArchived(mesh));

        assertThat(directory.findActive(mesh, alice.pubkey())).isEmpty();
        assertThat(directory.activeMembers(mesh)).isEmpty();
    }

    @Test
    void anUnknownPubkeyIsNeverAnsweredFromMemory_soAMemberWhoJoinedElsewhereIsFoundAtOnce() {
        assertThat(directory.activeMembers(mesh)).hasSize(1);
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");

        assertThat(directory.findActive(mesh, bob.pubkey())).map(Member::id).hasValue(bob.id());
        // Found in the database, so the stale list was dropped: broadcasts include bob too.
        assertThat(directory.activeMembers(mesh)).extracting(Member::id).containsExactly(alice.id(), bob.id());
    }

    @Test
    void aJoinOnThisProcessIsInTheNextBroadcastAtOnce() {
        assertThat(directory.activeMembers(mesh)).hasSize(1);

        String bob = transaction.execute(
                status -> enrolment.enrol(mesh, ed25519.generate().publicKeyHex(), "bob", "member"));

        assertThat(directory.activeMembers(mesh)).extracting(Member::id).containsExactlyInAnyOrder(alice.id(), bob);
    }
}
