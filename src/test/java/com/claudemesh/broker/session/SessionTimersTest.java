package com.claudemesh.broker.session;

import static com.claudemesh.broker.session.Phase.State.AWAITING_HELLO;
import static com.claudemesh.broker.session.Phase.State.OPEN;
import static com.claudemesh.broker.session.SessionTimers.Due.HELLO_TIMEOUT;
import static com.claudemesh.broker.session.SessionTimers.Due.IDLE_TIMEOUT;
import static com.claudemesh.broker.session.SessionTimers.Due.NOTHING;
import static com.claudemesh.broker.session.SessionTimers.Due.PING;
import static com.claudemesh.broker.session.SessionTimers.Due.SLOW_CONSUMER;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PROTOCOL A.1/A.3/A.6: what a connection's timers make due, decided without clock or socket. */
class SessionTimersTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final Duration SLOW_CONSUMER_LIMIT = Duration.ofSeconds(30);
    private static final Duration NONE_UNCONFIRMED = Duration.ZERO;

    private final SessionTimers timers = new SessionTimers(T0, SLOW_CONSUMER_LIMIT);

    @Test
    void a3_noHelloWithin10s_isAHelloTimeout() {
        assertThat(timers.due(AWAITING_HELLO, T0.plusMillis(9_999), NONE_UNCONFIRMED))
                .isEqualTo(NOTHING);
        assertThat(timers.due(AWAITING_HELLO, T0.plusSeconds(10), NONE_UNCONFIRMED))
                .isEqualTo(HELLO_TIMEOUT);
    }

    @Test
    void a3_framesBeforeTheHelloDoNotPutTheHelloTimeoutOff() {
        timers.heard(T0.plusSeconds(9));

        assertThat(timers.due(AWAITING_HELLO, T0.plusSeconds(10), NONE_UNCONFIRMED))
                .isEqualTo(HELLO_TIMEOUT);
    }

    @Test
    void a1_anOpenSessionIsPingedEvery30s_onceAPeriod() {
        assertThat(timers.due(OPEN, T0.plusSeconds(29), NONE_UNCONFIRMED)).isEqualTo(NOTHING);
        assertThat(timers.due(OPEN, T0.plusSeconds(30), NONE_UNCONFIRMED)).isEqualTo(PING);
        timers.heard(T0.plusSeconds(31));

        assertThat(timers.due(OPEN, T0.plusSeconds(31), NONE_UNCONFIRMED))
                .as("pinged at 30 s")
                .isEqualTo(NOTHING);
        assertThat(timers.due(OPEN, T0.plusSeconds(60), NONE_UNCONFIRMED)).isEqualTo(PING);
    }

    @Test
    void aSessionSilentFor75s_isClosedAsIdle_beforeAnotherPing() {
        timers.heard(T0.plusSeconds(5));

        assertThat(timers.due(OPEN, T0.plusSeconds(79), NONE_UNCONFIRMED)).isEqualTo(PING);
        assertThat(timers.due(OPEN, T0.plusSeconds(80), NONE_UNCONFIRMED)).isEqualTo(IDLE_TIMEOUT);
    }

    @Test
    void aFrameOrPongRestartsTheSilence() {
        timers.heard(T0.plusSeconds(70));

        assertThat(timers.due(OPEN, T0.plusSeconds(100), NONE_UNCONFIRMED)).isNotEqualTo(IDLE_TIMEOUT);
        assertThat(timers.due(OPEN, T0.plusSeconds(145), NONE_UNCONFIRMED)).isEqualTo(IDLE_TIMEOUT);
    }

    @Test
    void a6_pushesUnconfirmedPastTheLimit_areASlowConsumer_evenForAPeerStillHeard() {
        timers.heard(T0.plusSeconds(59));

        assertThat(timers.due(OPEN, T0.plusSeconds(60), SLOW_CONSUMER_LIMIT.minusMillis(1)))
                .isEqualTo(PING);
        assertThat(timers.due(OPEN, T0.plusSeconds(61), SLOW_CONSUMER_LIMIT)).isEqualTo(SLOW_CONSUMER);
    }

    @ParameterizedTest
    @EnumSource(names = {"OPENING", "CLOSING", "CLOSED"})
    void aSocketBeingOpenedOrClosed_hasNoTimers(Phase.State state) {
        assertThat(timers.due(state, T0.plusSeconds(1_000), SLOW_CONSUMER_LIMIT))
                .isEqualTo(NOTHING);
    }
}
