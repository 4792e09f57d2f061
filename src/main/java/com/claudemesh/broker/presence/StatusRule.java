package com.claudemesh.broker.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The status write rule of PROTOCOL A.8, without any I/O, so that every writer (hook, set_status, TTL
 * sweep, JSONL inference, pending hook at hello) goes through the same decision.
 */
final class StatusRule {

    /** A presence's status triple as stored. */
    record State(Status status, StatusSource source, Instant updatedAt) {}

    private final Duration freshWindow;

    StatusRule(Duration freshWindow) {
        this.freshWindow = freshWindow;
    }

    /**
     * The state after writing {@code status} from {@code source} at {@code now}, or empty when the
     * write is refused: DND is sacred, only the session's own {@code set_status} (manual) leaves it.
     */
    Optional<State> apply(State current, Status status, StatusSource source, Instant now) {
        if (current.status() == Status.DND && status != Status.DND && source != StatusSource.MANUAL) {
            return Optional.empty();
        }
        if (status != current.status() || source.rank() >= current.source().rank()) {
            return Optional.of(new State(status, source, now)); // rules 1 and 2
        }
        if (isFresh(current, now)) {
            return Optional.of(new State(current.status(), current.source(), now)); // rule 3, fresh
        }
        return Optional.of(new State(status, source, now)); // rule 3, stale
    }

    /**
     * Whether a hook or manual status is still inside the fresh window, where a jsonl guess must not
     * contradict it (the inference job asks this before writing).
     */
    boolean freshFromAboveJsonl(State current, Instant now) {
        return current.source().rank() > StatusSource.JSONL.rank() && isFresh(current, now);
    }

    private boolean isFresh(State current, Instant now) {
        return !current.updatedAt().plus(freshWindow).isBefore(now);
    }
}
