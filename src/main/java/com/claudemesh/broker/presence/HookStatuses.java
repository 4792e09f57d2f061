package com.claudemesh.broker.presence;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** A hook's status call (PROTOCOL A.9): resolve the presence and write, or keep it pending. */
@Service
class HookStatuses {

    /** The presence written, or empty when the status was stored as pending. */
    record Outcome(Optional<String> presenceId) {}

    private final PresenceRows rows;
    private final PendingStatuses pending;
    private final StatusWriter writer;
    private final TransactionTemplate tx;
    private final Clock clock;

    HookStatuses(PresenceRows rows, PendingStatuses pending, StatusWriter writer, TransactionTemplate tx, Clock clock) {
        this.rows = rows;
        this.pending = pending;
        this.writer = writer;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * A call carrying a hook token: only the live session the token belongs to, never a pending
     * status. Empty when no live session has this token.
     */
    Optional<String> applyByToken(String token, Status status) {
        Instant now = clock.instant();
        return tx.execute(transaction -> {
            Optional<PresenceRows.Locked> target = rows.lockForHookToken(token);
            target.ifPresent(locked -> writer.writeLocked(locked, status, StatusSource.HOOK, now));
            return target.map(PresenceRows.Locked::id);
        });
    }

    Outcome apply(Integer pid, String cwd, Status status) {
        Instant now = clock.instant();
        return tx.execute(transaction -> {
            rows.lockCwd(cwd);
            Optional<PresenceRows.Locked> target = rows.lockForHook(cwd, pid);
            target.ifPresentOrElse(
                    locked -> writer.writeLocked(locked, status, StatusSource.HOOK, now),
                    () -> pending.insert(pid, cwd, status, now));
            return new Outcome(target.map(PresenceRows.Locked::id));
        });
    }
}
