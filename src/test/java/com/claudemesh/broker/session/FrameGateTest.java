package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.ratelimit.TokenBucket;
import com.claudemesh.broker.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A.1 flood control of one socket, decided without a socket ({@link FrameGate}). */
class FrameGateTest {

    private static final int PER_SECOND = 10;

    private final MutableClock clock = new MutableClock();
    private final FrameGate gate = new FrameGate(new TokenBucket(clock, 2.0 * PER_SECOND, PER_SECOND), PER_SECOND);
    private final Frames.Inbound frame = new Frames.UnknownType();

    @Test
    void aBurstOfTwoSecondsWorthIsAdmitted_theNextFrameIsRefusedRateLimited() {
        drain();

        FrameGate.Verdict next = gate.take(frame);

        assertThat(next).isInstanceOf(FrameGate.Refused.class);
        Frames.Error reply = ((FrameGate.Refused) next).reply();
        assertThat(reply.code()).isEqualTo("rate_limited");
        assertThat(reply.message()).contains("MAX_FRAMES_PER_SECOND");
    }

    @Test
    void aRefusedSendEchoesItsId_soItsClientCanMatchTheRefusal() {
        drain();

        FrameGate.Verdict send = gate.take(new Frames.Send("s-1", "*", Priority.NOW, "bg==", "Yw=="));
        FrameGate.Verdict bad = gate.take(new Frames.BadSend("malformed", "no nonce", "s-2"));

        assertThat(((FrameGate.Refused) send).reply().id()).isEqualTo("s-1");
        assertThat(((FrameGate.Refused) bad).reply().id()).isEqualTo("s-2");
    }

    @Test
    void moreThanASecondsWorthRefusedInARowIsFlooding() {
        drain();
        for (int i = 0; i < PER_SECOND; i++) {
            assertThat(gate.take(frame)).isInstanceOf(FrameGate.Refused.class);
        }

        assertThat(gate.take(frame)).isInstanceOf(FrameGate.Flooding.class);
    }

    @Test
    void aPeerThatSlowsDownWhenToldStartsAnew_itsRefusalsNoLongerCountTowardsFlooding() {
        drain();
        for (int i = 0; i < PER_SECOND; i++) {
            gate.take(frame);
        }

        clock.advance(Duration.ofMillis(100));
        assertThat(gate.take(frame)).isInstanceOf(FrameGate.Admitted.class);

        assertThat(gate.take(frame)).isInstanceOf(FrameGate.Refused.class);
    }

    /** Takes the bucket's two seconds' worth, all admitted; the clock does not move. */
    private void drain() {
        for (int i = 0; i < 2 * PER_SECOND; i++) {
            assertThat(gate.take(frame)).isInstanceOf(FrameGate.Admitted.class);
        }
    }
}
