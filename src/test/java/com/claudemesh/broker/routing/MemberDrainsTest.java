package com.claudemesh.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.protocol.Priority;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL A.6 order for pushes from memory: when a member is quiet — a new envelope may be pushed
 * straight after its commit — and how hand-overs wait for the member's drain ({@link MemberDrains}).
 */
class MemberDrainsTest {

    private final MemberDrains drains = new MemberDrains();
    private final RecordingTarget session = new RecordingTarget("p1", "m");

    private static Dispatcher.HandedOver handedOver(DeliveryTarget target, String messageId) {
        Instant now = Instant.parse("2026-12-02T00:00:00Z");
        return new Dispatcher.HandedOver(
                target, new Push("m", messageId, "mesh", "ab", Priority.NOW, "bg==", "Yw==", now, now, true));
    }

    /** A pass that started at the current change and left nothing for {@code sessions}. */
    private void emptiedPass(List<DeliveryTarget> sessions) {
        long change = drains.changes.get();
        drains.passStarts();
        drains.passEmptied(change, sessions);
    }

    @Test
    void a6_aMemberNeverDrainedIsNotQuiet() {
        assertThat(drains.quiet(List.of(session))).isFalse();
    }

    @Test
    void a6_aPassThatLeftNothingForTheSameSessions_makesTheMemberQuiet() {
        emptiedPass(List.of(session));

        assertThat(drains.quiet(List.of(session))).isTrue();
    }

    @Test
    void a6_anythingThatMayHaveMadeDeliveriesClaimable_endsTheQuiet() {
        emptiedPass(List.of(session));

        drains.changes.incrementAndGet();

        assertThat(drains.quiet(List.of(session))).isFalse();
    }

    @Test
    void a6_aSessionTheLastPassDidNotServe_endsTheQuiet() {
        emptiedPass(List.of(session));

        assertThat(drains.quiet(List.of(session, new RecordingTarget("p2", "m"))))
                .isFalse();
    }

    @Test
    void a6_whileAHandOverWaits_theMemberIsNotQuiet_soNothingIsPushedDirectlyPastIt() {
        emptiedPass(List.of(session));

        drains.handOver(List.of(handedOver(session, "e1")));

        assertThat(drains.quiet(List.of(session))).isFalse();
    }

    @Test
    void a6_aPassInProgressHasTakenTheHandOvers_butTheMemberIsNotQuietUntilItEnds() {
        emptiedPass(List.of(session));
        drains.handOver(List.of(handedOver(session, "e1")));

        List<Dispatcher.HandedOver> taken = drains.passStarts();

        assertThat(taken).extracting(h -> h.push().messageId()).containsExactly("e1");
        assertThat(drains.quiet(List.of(session))).isFalse();
    }

    @Test
    void a6_aPassWhoseClaimsFailed_givesItsHandOversBackInFront_inTheirOrder() {
        drains.handOver(List.of(handedOver(session, "e1"), handedOver(session, "e2")));
        List<Dispatcher.HandedOver> taken = drains.passStarts();
        drains.handOver(List.of(handedOver(session, "e3")));

        drains.passFailed(taken);

        assertThat(drains.passStarts()).extracting(h -> h.push().messageId()).containsExactly("e1", "e2", "e3");
    }
}
