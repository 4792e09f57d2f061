package com.claudemesh.broker.routing;

import com.claudemesh.broker.protocol.Priority;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Moves pending deliveries to live sessions (PROTOCOL A.6, A.7). A drain of a member claims its
 * deliveries for its sessions, most recently active first, each taking what its status admits and
 * what its buffer has room for. Drains of one member are coalesced and never run twice at once in
 * this process; the claim itself keeps concurrent drains of other processes apart.
 *
 * <p>A new envelope for a member with a session here that admits it never waits to be claimed
 * ({@link #way}). When the member is <em>quiet</em> — a drain that covered every one of its current
 * sessions found nothing more they admit, and nothing was requested since — nothing older that the
 * session would receive is waiting, and the envelope is pushed straight after its commit. Otherwise
 * it is claimed for that session in its insert all the same and <em>handed over</em> to the
 * member's drain, which pushes it only after a pass that claimed and pushed everything claimable:
 * whatever older the session would receive was committed before the hand-over and is claimed
 * first, so nothing overtakes it (A.6 order) — and the delivery row is written once, not inserted
 * and then claimed by an UPDATE.
 */
@Service
public class Dispatcher implements DisposableBean {

    private static final int MAX_BATCH = 256;
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final DeliveryClaims claims;
    private final Confirmations confirmations;
    private final LiveSessions sessions;
    private final Clock clock;
    private final Map<String, MemberDrains> members = new ConcurrentHashMap<>();
    private final ExecutorService drains = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("drain-", 0).factory());

    Dispatcher(DeliveryClaims claims, Confirmations confirmations, LiveSessions sessions, Clock clock) {
        this.claims = claims;
        this.confirmations = confirmations;
        this.sessions = sessions;
        this.clock = clock;
    }

    /** A committed delivery claimed for {@code target} in its insert, waiting for the member's drain. */
    record HandedOver(DeliveryTarget target, Push push) {}

    /** Something may have become deliverable for this member: push it to its live sessions now. */
    public void request(String memberId) {
        boolean live = !sessions.sessionsOf(memberId).isEmpty();
        MemberDrains drains = live ? drainsOf(memberId) : members.get(memberId);
        if (drains != null) {
            drains.changes.incrementAndGet();
        }
        if (!live) {
            return;
        }
        if (drains.requests.getAndIncrement() == 0) {
            this.drains.execute(() -> drainWhileRequested(memberId, drains));
        }
    }

    /**
     * {@link #request} for those of these members that have deliveries waiting — the sessions that
     * just opened (A.3: queued envelopes are pushed on hello). Most sessions connect to an empty
     * queue; one query for all of them spares each a claim statement. If the query fails, all are
     * drained.
     */
    public void requestIfQueued(Collection<String> memberIds) {
        Collection<String> due;
        try {
            due = claims.withPending(memberIds);
        } catch (DataAccessException e) {
            log.warn(
                    "Looking for queued deliveries failed, draining all: {}",
                    e.getClass().getSimpleName());
            due = memberIds;
        }
        due.forEach(this::request);
    }

    /**
     * How a new envelope of this priority reaches the member: to the session a drain would serve it
     * to (the most recently active one admitting the priority) — {@link Way.Direct} when the member is
     * quiet, {@link Way.AfterDrain} otherwise — or {@link Way.Queued} when no session here admits it.
     */
    Way way(String memberId, Priority priority) {
        List<? extends DeliveryTarget> current = sessions.sessionsOf(memberId);
        Optional<DeliveryTarget> target = current.stream()
                .filter(session -> session.admits(priority))
                .max(Comparator.comparingLong(DeliveryTarget::lastActivity))
                .map(DeliveryTarget.class::cast);
        if (target.isEmpty()) {
            return Way.QUEUED;
        }
        MemberDrains drains = members.get(memberId);
        boolean quiet = drains != null && drains.quiet(current);
        return quiet ? new Way.Direct(target.get()) : new Way.AfterDrain(target.get());
    }

    /**
     * Committed deliveries of one member claimed for their sessions, in commit order: its drain
     * pushes them after a pass that claims what is older. A member with hand-overs waiting is not
     * quiet ({@link #way}), so no envelope planned meanwhile is pushed directly past them.
     */
    void handOver(String memberId, List<HandedOver> pushes) {
        drainsOf(memberId).handOver(pushes);
        request(memberId);
    }

    private MemberDrains drainsOf(String memberId) {
        return members.computeIfAbsent(memberId, id -> new MemberDrains());
    }

    /**
     * The recipient's WebSocket layer provably read these pushes (a pong after them, or a close
     * handshake). Written together with other sessions' confirmations; completes when written.
     */
    public CompletableFuture<Void> confirm(String memberId, Collection<String> messageIds) {
        return messageIds.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : confirmations.confirm(memberId, messageIds);
    }

    /**
     * Sessions ended (presence id → its member): their unconfirmed claims go back (the caller's
     * transaction, if any). Call {@link #request} for their members once that is committed, so their
     * other sessions take them.
     */
    public int releaseClaimsOf(Map<String, String> memberByPresence) {
        return claims.releaseAll(memberByPresence);
    }

    /**
     * Safety net and multi-process wake-up: deliveries queued by another broker process, or released
     * by a session that ended there, reach this process's sessions within a second.
     */
    @Scheduled(fixedDelay = 1, timeUnit = TimeUnit.SECONDS)
    void drainClaimable() {
        Collection<String> live = sessions.liveMemberIds();
        if (live.isEmpty()) {
            return;
        }
        List<DeliveryClaims.MemberPriority> claimable;
        try {
            claimable = claims.claimable(live, clock.instant());
        } catch (DataAccessException e) {
            log.debug("Periodic drain skipped: {}", e.getClass().getSimpleName());
            return;
        }
        Set<String> due = new HashSet<>();
        // Pushes handed over to a drain that failed are retried here too.
        members.forEach((memberId, drains) -> {
            if (drains.hasHandedOver()) {
                due.add(memberId);
            }
        });
        for (DeliveryClaims.MemberPriority waiting : claimable) {
            if (sessions.sessionsOf(waiting.memberId()).stream().anyMatch(s -> s.admits(waiting.priority()))) {
                due.add(waiting.memberId());
            }
        }
        due.forEach(this::request);
    }

    private void drainWhileRequested(String memberId, MemberDrains state) {
        int seen;
        do {
            seen = state.requests.get();
            long change = state.changes.get();
            List<DeliveryTarget> served = new ArrayList<>(sessions.sessionsOf(memberId));
            List<HandedOver> handed = state.passStarts();
            try {
                boolean emptied;
                try {
                    emptied = drain(memberId, served);
                } catch (RuntimeException e) {
                    state.passFailed(handed);
                    throw e;
                }
                if (pushHandedOver(handed, emptied) && emptied) {
                    state.passEmptied(change, served);
                }
            } catch (RuntimeException e) {
                log.atWarn()
                        .setMessage("Draining deliveries failed; the next request or the periodic drain retries")
                        .addKeyValue("member_id", memberId)
                        .addKeyValue("error", e.getClass().getSimpleName())
                        .log();
            }
        } while (state.requests.addAndGet(-seen) != 0);
    }

    /**
     * Serves the member's sessions most recently active first. A session takes only the priorities
     * no more recent session admits: a delivery belongs to the most recent session that may receive
     * it, even when it is committed while the drain is between two sessions. True when every
     * session took everything it admits: nothing claimable for them is left.
     */
    private boolean drain(String memberId, List<DeliveryTarget> targets) {
        if (targets.isEmpty()) {
            return false;
        }
        List<DeliveryTarget> byActivity = new ArrayList<>(targets);
        byActivity.sort(Comparator.comparingLong(DeliveryTarget::lastActivity).reversed());
        Set<Priority> served = EnumSet.noneOf(Priority.class);
        boolean emptied = true;
        for (DeliveryTarget target : byActivity) {
            List<Priority> admitted =
                    Arrays.stream(Priority.values()).filter(target::admits).toList();
            List<Priority> left =
                    admitted.stream().filter(p -> !served.contains(p)).toList();
            if (!left.isEmpty()) {
                emptied &= fill(target, left);
            }
            served.addAll(admitted);
        }
        return emptied;
    }

    /**
     * Pushes what was handed over, in order, once the pass claimed everything older ({@code
     * claimedAll}); true when every one was pushed. A push its session does not take — full,
     * closing, or no longer admitting its priority — is given back with those after it for the same
     * session, to be claimed in order by a later drain; so is everything when older deliveries are
     * still waiting.
     */
    private boolean pushHandedOver(List<HandedOver> handed, boolean claimedAll) {
        Map<DeliveryTarget, List<String>> refused = new LinkedHashMap<>();
        for (HandedOver next : handed) {
            DeliveryTarget target = next.target();
            boolean firstRefusal = claimedAll && !refused.containsKey(target);
            boolean pushed = firstRefusal && target.admits(next.push().priority()) && target.push(next.push());
            if (!pushed) {
                if (firstRefusal) {
                    target.moreWaiting();
                }
                refused.computeIfAbsent(target, t -> new ArrayList<>())
                        .add(next.push().messageId());
            }
        }
        refused.forEach(this::giveBack);
        return refused.isEmpty();
    }

    /**
     * Releases claims of {@code target} it did not take, so that they are claimed again in order. A
     * failure leaves them to lapse with the session; the periodic drain then finds them.
     */
    void giveBack(DeliveryTarget target, List<String> messageIds) {
        try {
            claims.release(target.presenceId(), messageIds, target.memberId());
        } catch (DataAccessException e) {
            log.debug("Releasing refused pushes failed: {}", e.getClass().getSimpleName());
        }
    }

    /** Claims and pushes until the session is full (false) or nothing it admits is left (true). */
    private boolean fill(DeliveryTarget target, List<Priority> priorities) {
        while (true) {
            int room = target.room();
            if (room <= 0) {
                target.moreWaiting();
                return false;
            }
            int limit = Math.min(room, MAX_BATCH);
            List<Push> batch = claims.claim(target.memberId(), target.presenceId(), priorities, limit, clock.instant());
            for (int i = 0; i < batch.size(); i++) {
                if (!target.push(batch.get(i))) {
                    List<String> untaken = batch.subList(i, batch.size()).stream()
                            .map(Push::messageId)
                            .toList();
                    claims.release(target.presenceId(), untaken, target.memberId());
                    return false;
                }
            }
            if (batch.size() < limit) {
                return true;
            }
        }
    }

    @Override
    public void destroy() {
        drains.shutdownNow();
    }
}
