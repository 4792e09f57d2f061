package com.claudemesh.broker.presence;

import static com.claudemesh.broker.presence.Status.DND;
import static com.claudemesh.broker.presence.Status.IDLE;
import static com.claudemesh.broker.presence.Status.WORKING;
import static com.claudemesh.broker.presence.StatusSource.HOOK;
import static com.claudemesh.broker.presence.StatusSource.JSONL;
import static com.claudemesh.broker.presence.StatusSource.MANUAL;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PROTOCOL A.8: the write rule, the fresh window and DND, decided without a database. */
class StatusRuleTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final StatusRule rule = new StatusRule(Duration.ofSeconds(30));

    private static StatusRule.State state(Status status, StatusSource source, Instant at) {
        return new StatusRule.State(status, source, at);
    }

    @Test
    void a8Rule1_aDifferentStatusIsWrittenWhateverTheRank() {
        Instant now = T0.plusSeconds(1);

        assertThat(rule.apply(state(WORKING, HOOK, T0), IDLE, JSONL, now)).contains(state(IDLE, JSONL, now));
        assertThat(rule.apply(state(IDLE, MANUAL, T0), WORKING, JSONL, now)).contains(state(WORKING, JSONL, now));
    }

    @Test
    void a8Rule2_sameStatusFromAnEqualOrHigherRankTakesTheSource() {
        Instant now = T0.plusSeconds(1);

        assertThat(rule.apply(state(WORKING, JSONL, T0), WORKING, HOOK, now)).contains(state(WORKING, HOOK, now));
        assertThat(rule.apply(state(WORKING, MANUAL, T0), WORKING, MANUAL, now)).contains(state(WORKING, MANUAL, now));
        assertThat(rule.apply(state(IDLE, JSONL, T0), IDLE, MANUAL, now)).contains(state(IDLE, MANUAL, now));
    }

    @Test
    void a8Rule3_sameStatusFromALowerRankInsideTheFreshWindowKeepsTheSourceAndBumpsTheTime() {
        Instant now = T0.plusSeconds(30);

        assertThat(rule.apply(state(WORKING, HOOK, T0), WORKING, JSONL, now)).contains(state(WORKING, HOOK, now));
        assertThat(rule.apply(state(IDLE, HOOK, T0), IDLE, MANUAL, now)).contains(state(IDLE, HOOK, now));
    }

    @Test
    void a8Rule3_sameStatusFromALowerRankAfterTheFreshWindowDecaysToThatSource() {
        Instant now = T0.plusSeconds(31);

        assertThat(rule.apply(state(WORKING, HOOK, T0), WORKING, JSONL, now)).contains(state(WORKING, JSONL, now));
        assertThat(rule.apply(state(IDLE, MANUAL, T0), IDLE, JSONL, now)).contains(state(IDLE, JSONL, now));
    }

    @ParameterizedTest
    @EnumSource(
            value = StatusSource.class,
            names = {"HOOK", "JSONL"})
    void a8DndIsSacred_onlyTheSessionsOwnSetStatusLeavesIt(StatusSource source) {
        Instant now = T0.plusSeconds(120);

        assertThat(rule.apply(state(DND, MANUAL, T0), IDLE, source, now)).isEmpty();
        assertThat(rule.apply(state(DND, MANUAL, T0), WORKING, source, now)).isEmpty();
        assertThat(rule.apply(state(DND, MANUAL, T0), IDLE, MANUAL, now)).contains(state(IDLE, MANUAL, now));
    }

    @Test
    void a8DndIsSacred_aHookMayStillConfirmOrSetDnd() {
        Instant now = T0.plusSeconds(1);

        assertThat(rule.apply(state(DND, MANUAL, T0), DND, HOOK, now)).contains(state(DND, HOOK, now));
        assertThat(rule.apply(state(WORKING, HOOK, T0), DND, HOOK, now)).contains(state(DND, HOOK, now));
    }

    @Test
    void a8FreshWindow_onlyHookAndManualStatusesInsideTheWindowOverruleTranscripts() {
        assertThat(rule.freshFromAboveJsonl(state(WORKING, HOOK, T0), T0.plusSeconds(30)))
                .isTrue();
        assertThat(rule.freshFromAboveJsonl(state(IDLE, MANUAL, T0), T0.plusSeconds(10)))
                .isTrue();
        assertThat(rule.freshFromAboveJsonl(state(WORKING, HOOK, T0), T0.plusSeconds(31)))
                .isFalse();
        assertThat(rule.freshFromAboveJsonl(state(WORKING, JSONL, T0), T0)).isFalse();
    }
}
