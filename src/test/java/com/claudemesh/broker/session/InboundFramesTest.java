package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.ratelimit.TokenBucket;
import com.claudemesh.broker.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** PROTOCOL A.1 for what a socket's peer sends — size, flood control and their order — decided without a socket. */
class InboundFramesTest {

    private static final int PER_SECOND = 10;
    private static final int MAX_BYTES = 200;
    private static final String UNKNOWN = "{\"type\":\"nope\"}";
    private static final String STATUS = "{\"type\":\"set_status\",\"status\":\"idle\"}";

    private final MutableClock clock = new MutableClock();
    private final InboundFrames inbound =
            new InboundFrames(MAX_BYTES, new TokenBucket(clock, 2.0 * PER_SECOND, PER_SECOND), PER_SECOND);

    private static String send(String id, String ciphertext) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"targetSpec\":\"*\",\"priority\":\"now\",\"nonce\":\"bg==\","
                + "\"ciphertext\":\"" + ciphertext + "\"}";
    }

    /** A well-formed send whose text is just over the byte limit. */
    private static String oversizedSend() {
        int over = MAX_BYTES - send("big", "").length() + 1;
        String send = send("big", "Y".repeat((over + 3) / 4 * 4));
        assertThat(Frames.parse(send)).isInstanceOf(Frames.Send.class);
        return send;
    }

    @Test
    void a1_aWholeFrameInTimeIsHandedOn_parsed() {
        assertThat(inbound.take(STATUS, true, true)).isInstanceOfSatisfying(InboundFrames.Frame.class, frame -> {
            assertThat(frame.frame()).isInstanceOf(Frames.SetStatus.class);
            assertThat(frame.oversized()).isFalse();
        });
    }

    @Test
    void a1_fragmentsWaitForTheirLast_thenAreOneFrame() {
        String whole = send("f1", "Y2lwaGVy");

        assertThat(inbound.take(whole.substring(0, 10), false, true)).isInstanceOf(InboundFrames.More.class);
        assertThat(inbound.take(whole.substring(10), true, true))
                .isEqualTo(new InboundFrames.Frame(Frames.parse(whole), false));
    }

    @Test
    void a1_aMessageGrowingPastTheLimitClosesTheSocket_beforeItEnds() {
        assertThat(inbound.take("x".repeat(MAX_BYTES), false, true)).isInstanceOf(InboundFrames.More.class);

        assertThat(inbound.take("x", false, true)).isInstanceOf(InboundFrames.TooBig.class);
        assertThat(inbound.take("rest", true, true)).isInstanceOf(InboundFrames.More.class);
    }

    @Test
    void a4_anOpenSessionsSendOverTheLimitGoesOnToBeRefusedTooLarge_notClosed() {
        String send = oversizedSend();
        assertThat(send.length()).isGreaterThan(MAX_BYTES);

        assertThat(inbound.take(send, true, true)).isEqualTo(new InboundFrames.Frame(Frames.parse(send), true));
    }

    @Test
    void a1_aSendOverTheLimitBeforeHello_closesTheSocket() {
        assertThat(inbound.take(oversizedSend(), true, false)).isInstanceOf(InboundFrames.TooBig.class);
    }

    @Test
    void a1_anyOtherFrameOverTheLimit_closesTheSocket_evenInAnOpenSession() {
        String status = "{\"type\":\"set_status\",\"status\":\"idle\",\"pad\":\"" + "p".repeat(MAX_BYTES) + "\"}";

        assertThat(inbound.take(status, true, true)).isInstanceOf(InboundFrames.TooBig.class);
    }

    @Test
    void a1_aBurstOfTwoSecondsWorthIsAdmitted_theNextFrameIsRefusedRateLimited() {
        drain();

        InboundFrames.Step next = inbound.take(UNKNOWN, true, true);

        assertThat(next).isInstanceOfSatisfying(InboundFrames.RateLimited.class, refused -> {
            assertThat(refused.reply().code()).isEqualTo("rate_limited");
            assertThat(refused.reply().message()).contains("MAX_FRAMES_PER_SECOND");
        });
    }

    @Test
    void a1_aRefusedSendEchoesItsId_soItsClientCanMatchTheRefusal() {
        drain();

        InboundFrames.Step send = inbound.take(send("s-1", "Y2lwaGVy"), true, true);
        InboundFrames.Step bad = inbound.take(send("s-2", "AA=A"), true, true);

        assertThat(((InboundFrames.RateLimited) send).reply().id()).isEqualTo("s-1");
        assertThat(((InboundFrames.RateLimited) bad).reply().id()).isEqualTo("s-2");
    }

    @Test
    void a1_floodControlComesBeforeTheSizeRule_anOversizedFrameWithoutATokenIsOnlyRefused() {
        drain();

        assertThat(inbound.take(oversizedSend(), true, false)).isInstanceOf(InboundFrames.RateLimited.class);
    }

    @Test
    void a1_moreThanASecondsWorthRefusedInARowIsFlooding() {
        drain();
        for (int i = 0; i < PER_SECOND; i++) {
            assertThat(inbound.take(UNKNOWN, true, true)).isInstanceOf(InboundFrames.RateLimited.class);
        }

        assertThat(inbound.take(UNKNOWN, true, true)).isInstanceOf(InboundFrames.Flooding.class);
    }

    @Test
    void a1_aPeerThatSlowsDownWhenToldStartsAnew_itsRefusalsNoLongerCountTowardsFlooding() {
        drain();
        for (int i = 0; i < PER_SECOND; i++) {
            inbound.take(UNKNOWN, true, true);
        }

        clock.advance(Duration.ofMillis(100));
        assertThat(inbound.take(UNKNOWN, true, true)).isInstanceOf(InboundFrames.Frame.class);

        assertThat(inbound.take(UNKNOWN, true, true)).isInstanceOf(InboundFrames.RateLimited.class);
    }

    /** Takes the bucket's two seconds' worth, all admitted; the clock does not move. */
    private void drain() {
        for (int i = 0; i < 2 * PER_SECOND; i++) {
            assertThat(inbound.take(UNKNOWN, true, true)).isInstanceOf(InboundFrames.Frame.class);
        }
    }
}
