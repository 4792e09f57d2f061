package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.routing.Push;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PROTOCOL A.6's books without a socket: what a pong confirms, when a ping is due, how much fits. */
class PushLedgerTest {

    private final PushLedger ledger = new PushLedger(100);

    private static Push push(int n) {
        return new Push(
                "u",
                "m" + n,
                "mesh",
                "ab".repeat(32),
                Priority.NOW,
                "bg==",
                "Yw==",
                Instant.EPOCH,
                Instant.EPOCH,
                false);
    }

    private List<Push> write(int from, int to) {
        List<Push> written = new ArrayList<>();
        for (int n = from; n < to; n++) {
            assertThat(ledger.reserve()).isTrue();
            Push push = push(n);
            ledger.written(push);
            written.add(push);
        }
        return written;
    }

    @Test
    void a6_aPongConfirmsEveryPushWrittenBeforeItsPing_notTheOnesAfter() {
        List<Push> before = write(0, 3);
        long ping = ledger.ping(0);
        List<Push> after = write(3, 5);

        PushLedger.Pong pong = ledger.pong(ping);

        assertThat(pong.confirmed()).containsExactlyElementsOf(before);
        assertThat(ledger.unconfirmed()).containsExactlyElementsOf(after);
    }

    @Test
    void a6_aPongAlsoConfirmsWhatEarlierUnansweredPingsCovered() {
        List<Push> first = write(0, 2);
        ledger.ping(0);
        List<Push> second = write(2, 4);
        long later = ledger.ping(0);

        assertThat(ledger.pong(later).confirmed()).containsExactlyElementsOf(concat(first, second));
        assertThat(ledger.allConfirmed()).isTrue();
    }

    @Test
    void coalescing_aPingIsDueWhenTheWriterRunsOutOfWork_notWhileMoreIsQueued() {
        write(0, 1);

        assertThat(ledger.pingDue(true)).isFalse();
        assertThat(ledger.pingDue(false)).isTrue();
    }

    @Test
    void coalescing_whileAPingAwaitsItsPong_furtherPushesWaitForThatPong_oneInFlightPerRoundTrip() {
        write(0, 1);
        long first = ledger.ping(0);
        write(1, 10);

        // One ping per push would ask again here; the ledger waits for the pong in flight.
        assertThat(ledger.pingDue(false)).isFalse();
        PushLedger.Pong pong = ledger.pong(first);
        assertThat(pong.confirmed()).hasSize(1);
        assertThat(pong.pingDue())
                .as("the deferred ping goes out with the pong")
                .isTrue();
    }

    @Test
    void coalescing_aLongRunOfPushesIsPingedEvery64_evenWithAPingInFlight() {
        write(0, 1);
        ledger.ping(0);

        write(1, PushLedger.PUSHES_PER_PING);
        assertThat(ledger.pingDue(true)).isFalse();
        write(PushLedger.PUSHES_PER_PING, PushLedger.PUSHES_PER_PING + 1);
        assertThat(ledger.pingDue(true)).isTrue();
    }

    @Test
    void aPongNobodyAskedForConfirmsNothing_andAKeepalivePingCoversNothing() {
        long keepalive = ledger.ping(0);

        assertThat(ledger.pong(keepalive).confirmed()).isEmpty();
        assertThat(ledger.pong(999).confirmed()).isEmpty();
        assertThat(ledger.unansweredFor(5)).isZero();
    }

    @Test
    void atMostCapacityPushesAreInFlight_untilPongsConfirmThem() {
        PushLedger small = new PushLedger(2);
        assertThat(small.reserve()).isTrue();
        assertThat(small.reserve()).isTrue();
        assertThat(small.reserve()).isFalse();
        assertThat(small.room()).isZero();

        small.written(push(0));
        small.unreserve();
        assertThat(small.room())
                .as("a reserved push that was never written gives its place back")
                .isEqualTo(1);
        long ping = small.ping(0);
        small.pong(ping);
        assertThat(small.room()).isEqualTo(2);
    }

    @Test
    void theOldestUnansweredPingTellsHowLongThePeerHasNotConfirmed() {
        write(0, 1);
        ledger.ping(1_000);
        write(1, 2);
        ledger.ping(5_000);

        assertThat(ledger.unansweredFor(11_000)).isEqualTo(Duration.ofNanos(10_000));
    }

    private static List<Push> concat(List<Push> a, List<Push> b) {
        List<Push> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
