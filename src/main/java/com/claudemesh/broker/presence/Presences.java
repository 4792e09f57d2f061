package com.claudemesh.broker.presence;

import com.claudemesh.broker.db.TimeOrderedIds;
import com.claudemesh.broker.protocol.ClientText;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Presence rows of live sessions: opened at hello, refreshed by traffic, closed on every close path,
 * and the session's own {@code set_status}. Status changes are announced with {@link
 * PresenceStatusChanged} after commit (PROTOCOL A.6, A.8).
 */
@Service
public class Presences {

    private final PresenceRows rows;
    private final PendingStatuses pending;
    private final StatusWriter writer;
    private final LocalPresences local;
    private final InstanceLifecycle instance;
    private final TransactionTemplate tx;
    private final Clock clock;

    Presences(
            PresenceRows rows,
            PendingStatuses pending,
            StatusWriter writer,
            LocalPresences local,
            InstanceLifecycle instance,
            TransactionTemplate tx,
            Clock clock) {
        this.rows = rows;
        this.pending = pending;
        this.writer = writer;
        this.local = local;
        this.instance = instance;
        this.tx = tx;
        this.clock = clock;
    }

    /** cwd is a b-tree index key of pending_status and presence; PostgreSQL caps those near 2.7 KB. */
    public static final int MAX_CWD_BYTES = 2048;

    /** Whether {@code cwd} can be stored unchanged and indexed: {@link ClientText#storable}, bounded size. */
    public static boolean storableCwd(String cwd) {
        return ClientText.storable(cwd) && cwd.getBytes(StandardCharsets.UTF_8).length <= MAX_CWD_BYTES;
    }

    /** A session that passed hello and needs its presence; only a hash of its hook token is stored. */
    public record Opening(String memberId, String sessionId, int pid, String cwd, HookToken hookToken) {}

    /**
     * Creates the presence of a session that passed hello: {@code idle} from {@code jsonl}, then the
     * newest pending hook status of the same (pid, cwd) younger than 10 s is applied with source
     * {@code hook} (A.3, A.9). The result carries the status the session starts with.
     */
    public Presence open(String memberId, String sessionId, int pid, String cwd) {
        return openAll(List.of(new Opening(memberId, sessionId, pid, cwd, HookToken.random())))
                .getFirst();
    }

    /**
     * {@link #open} for a batch of hellos in a few statements, in the caller's transaction if there
     * is one; the presences in the order of {@code openings}. Two sessions of one (pid, cwd) in the
     * batch behave as if opened one after the other: the first takes the pending hook status.
     */
    public List<Presence> openAll(List<Opening> openings) {
        instance.ensureRegistered();
        Instant now = clock.instant();
        List<Presence> fresh = openings.stream()
                .map(o -> new Presence(
                        TimeOrderedIds.next(now),
                        o.memberId(),
                        o.sessionId(),
                        o.pid(),
                        o.cwd(),
                        Status.IDLE,
                        StatusSource.JSONL,
                        now,
                        now))
                .toList();
        List<Presence> opened = tx.execute(transaction -> {
            rows.lockCwds(fresh.stream().map(Presence::cwd).toList());
            rows.insertAll(fresh, openings.stream().map(Opening::hookToken).toList(), instance.instanceId());
            Map<PendingStatuses.Key, PendingStatuses.Pending> hooks = pending.takeNewest(
                    fresh.stream()
                            .map(p -> new PendingStatuses.Key(p.pid(), p.cwd()))
                            .distinct()
                            .toList(),
                    now);
            List<Presence> result = new ArrayList<>(fresh.size());
            for (Presence presence : fresh) {
                PendingStatuses.Pending hook = hooks.remove(new PendingStatuses.Key(presence.pid(), presence.cwd()));
                result.add(hook == null ? presence : withHookStatus(presence, hook));
            }
            return result;
        });
        opened.forEach(presence -> local.opened(presence.id()));
        return opened;
    }

    private Presence withHookStatus(Presence fresh, PendingStatuses.Pending hook) {
        return writer.writeLocked(
                        new PresenceRows.Locked(fresh.id(), fresh.memberId(), stateOf(fresh)),
                        hook.status(),
                        StatusSource.HOOK,
                        hook.createdAt())
                .map(state -> fresh.withState(state.status(), state.source(), state.updatedAt()))
                .orElse(fresh);
    }

    /** A pong or any frame arrived: the session is alive. Memory only; written in batches. */
    public void touch(String presenceId) {
        local.touched(presenceId, clock.instant());
    }

    /** Sets {@code disconnected_at}; a presence already closed stays as it is. */
    public void close(String presenceId) {
        closeAll(List.of(presenceId));
    }

    /** {@link #close} for several presences, one statement. */
    public void closeAll(List<String> presenceIds) {
        List<Instant> lastPings = new ArrayList<>(presenceIds.size());
        presenceIds.forEach(id -> lastPings.add(local.closed(id)));
        rows.close(presenceIds, lastPings, clock.instant());
    }

    /** {@code set_status} from the session itself, source {@code manual}, the only way out of dnd (A.8). */
    public void setManualStatus(String presenceId, String memberId, Status status) {
        writer.write(
                presenceId,
                status,
                StatusSource.MANUAL,
                locked -> locked.memberId().equals(memberId));
    }

    /** The stored status of each of these presences that is still live; closed ones are absent. */
    public Map<String, Status> liveStatuses(Collection<String> presenceIds) {
        return rows.liveStatuses(presenceIds);
    }

    /** The presence as stored, while it is live. */
    public Optional<Presence> findLive(String presenceId) {
        return rows.findLive(presenceId);
    }

    private static StatusRule.State stateOf(Presence presence) {
        return new StatusRule.State(presence.status(), presence.source(), presence.statusUpdatedAt());
    }
}
