package com.claudemesh.broker.routing;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
@Service
public class Dispatcher implements DisposableBean {

    static final List<String> PRIORITIES = List.of("now", "next", "low");
    private static final int MAX_BATCH = 256;
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final DeliveryStore store;
    private final LiveSessions sessions;
    private final Clock clock;
    private final Map<String, AtomicInteger> drainRequests = new ConcurrentHashMap<>();
    private final ExecutorService drains = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("drain-", 0).factory());

    Dispatcher(DeliveryStore store, LiveSessions sessions, Clock clock) {
        this.store = store;
        this.sessions = sessions;
        this.clock = clock;
    }

    /** Something may have become deliverable for this member: push it to its live sessions now. */
    public void request(String memberId) {
        if (sessions.sessionsOf(memberId).isEmpty()) {
            return;
        }
        AtomicInteger requests = drainRequests.computeIfAbsent(memberId, id -> new AtomicInteger());
        if (requests.getAndIncrement() == 0) {
            drains.execute(() -> drainWhileRequested(memberId, requests));
        }
    }

    /** The recipient's WebSocket layer provably read these pushes (a pong after them, or a close handshake). */
    public void confirm(String memberId, Collection<String> messageIds) {
        if (!messageIds.isEmpty()) {
            store.confirm(memberId, messageIds, clock.instant());
        }
    }

    /** A session ended: its unconfirmed claims go back, and the member's other sessions may take them. */
    public void sessionEnded(String presenceId, String memberId) {
        int released = store.releaseAll(presenceId);
        if (released > 0) {
            log.atDebug()
                    .setMessage("Released unconfirmed deliveries")
                    .addKeyValue("presence_id", presenceId)
                    .addKeyValue("count", released)
                    .log();
        }
        request(memberId);
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
        List<DeliveryStore.MemberPriority> claimable;
        try {
            claimable = store.claimable(live, clock.instant());
        } catch (DataAccessException e) {
            log.debug("Periodic drain skipped: {}", e.getClass().getSimpleName());
            return;
        }
        Set<String> due = new HashSet<>();
        for (DeliveryStore.MemberPriority waiting : claimable) {
            if (sessions.sessionsOf(waiting.memberId()).stream().anyMatch(s -> s.admits(waiting.priority()))) {
                due.add(waiting.memberId());
            }
        }
        due.forEach(this::request);
    }

    private void drainWhileRequested(String memberId, AtomicInteger requests) {
        int seen;
        do {
            seen = requests.get();
            try {
                drain(memberId);
            } catch (RuntimeException e) {
                log.atWarn()
                        .setMessage("Draining deliveries failed; the next request or the periodic drain retries")
                        .addKeyValue("member_id", memberId)
                        .addKeyValue("error", e.getClass().getSimpleName())
                        .log();
            }
        } while (requests.addAndGet(-seen) != 0);
    }

    /**
     * Serves the member's sessions most recently active first. A session takes only the priorities
     * no more recent session admits: a delivery belongs to the most recent session that may receive
     * it, even when it is committed while the drain is between two sessions.
     */
    private void drain(String memberId) {
        List<? extends DeliveryTarget> targets = new ArrayList<>(sessions.sessionsOf(memberId));
        targets.sort(Comparator.comparingLong(DeliveryTarget::lastActivity).reversed());
        Set<String> served = new HashSet<>();
        for (DeliveryTarget target : targets) {
            List<String> admitted = PRIORITIES.stream().filter(target::admits).toList();
            List<String> left =
                    admitted.stream().filter(p -> !served.contains(p)).toList();
            if (!left.isEmpty()) {
                fill(target, left);
            }
            served.addAll(admitted);
        }
    }

    private void fill(DeliveryTarget target, List<String> priorities) {
        while (true) {
            int room = target.room();
            if (room <= 0) {
                target.moreWaiting();
                return;
            }
            int limit = Math.min(room, MAX_BATCH);
            List<Push> batch = store.claim(target.memberId(), target.presenceId(), priorities, limit, clock.instant());
            for (int i = 0; i < batch.size(); i++) {
                if (!target.push(batch.get(i))) {
                    List<String> untaken = batch.subList(i, batch.size()).stream()
                            .map(Push::messageId)
                            .toList();
                    store.release(target.presenceId(), untaken, target.memberId());
                    return;
                }
            }
            if (batch.size() < limit) {
                return;
            }
        }
    }

    @Override
    public void destroy() {
        drains.shutdownNow();
    }
}
