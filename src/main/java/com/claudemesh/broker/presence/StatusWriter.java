package com.claudemesh.broker.presence;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies the {@link StatusRule} to a row locked with {@code FOR UPDATE}, so concurrent writers
 * (hook, set_status, sweep, inference) are serialised per presence and none of them decides on a
 * stale status. A change of status is announced with {@link PresenceStatusChanged} only after the
 * transaction committed: the session layer pushes held envelopes on it and must see the new row.
 */
@Component
class StatusWriter {

    private final PresenceRows rows;
    private final StatusRule rule;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    StatusWriter(
            PresenceRows rows, StatusRule rule, TransactionTemplate tx, Clock clock, ApplicationEventPublisher events) {
        this.rows = rows;
        this.rule = rule;
        this.tx = tx;
        this.clock = clock;
        this.events = events;
    }

    /**
     * Writes {@code status} from {@code source} now, in its own transaction, if the live presence's
     * current state still satisfies {@code precondition} once locked.
     */
    Optional<StatusRule.State> write(
            String presenceId, Status status, StatusSource source, Predicate<PresenceRows.Locked> precondition) {
        Instant now = clock.instant();
        return tx.execute(transaction -> rows.lockLive(presenceId)
                .filter(precondition)
                .flatMap(locked -> writeLocked(locked, status, source, now)));
    }

    /**
     * Writes within the caller's transaction, on a row the caller has locked (or just inserted).
     * Empty when the rule refused the write.
     */
    Optional<StatusRule.State> writeLocked(PresenceRows.Locked locked, Status status, StatusSource source, Instant at) {
        Optional<StatusRule.State> next = rule.apply(locked.state(), status, source, at);
        next.ifPresent(state -> {
            rows.updateStatus(locked.id(), state);
            if (state.status() != locked.state().status()) {
                publishAfterCommit(new PresenceStatusChanged(locked.id(), locked.memberId(), state.status()));
            }
        });
        return next;
    }

    private void publishAfterCommit(PresenceStatusChanged event) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                events.publishEvent(event);
            }
        });
    }
}
