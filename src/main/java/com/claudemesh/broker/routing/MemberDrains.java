package com.claudemesh.broker.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The drain state of one member ({@link Dispatcher}): pending requests, a counter of everything that
 * may have made deliveries claimable, the last drain pass that found nothing left, and the pushes
 * handed over to the drain. Whether the member is quiet — a new envelope may be pushed straight
 * after its commit without overtaking anything (A.6 order) — is decided here.
 */
final class MemberDrains {

    /** A pass that started after change {@code change} served {@code sessions} and left nothing they admit. */
    private record Quiet(long change, Set<DeliveryTarget> sessions) {}

    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong changes = new AtomicLong();
    private volatile Quiet quiet;
    /** Committed, claimed for their session, in commit order; pushed after a pass's claims. */
    private final ConcurrentLinkedDeque<Dispatcher.HandedOver> handedOver = new ConcurrentLinkedDeque<>();

    /**
     * Quiet: the last pass covered exactly these sessions and left nothing, nothing may have changed
     * since, and no hand-over waits for a pass to push it.
     */
    boolean quiet(List<? extends DeliveryTarget> current) {
        Quiet last = quiet;
        return last != null
                && last.change() == changes.get()
                && handedOver.isEmpty()
                && current.size() == last.sessions().size()
                && last.sessions().containsAll(current);
    }

    void handOver(List<Dispatcher.HandedOver> pushes) {
        handedOver.addAll(pushes);
    }

    boolean hasHandedOver() {
        return !handedOver.isEmpty();
    }

    /**
     * A pass begins: the member is not quiet before the hand-overs are taken — until they are pushed,
     * nothing may go past them. Returns the hand-overs made before the pass: everything older was
     * committed before them, so the pass's claims see it.
     */
    List<Dispatcher.HandedOver> passStarts() {
        quiet = null;
        List<Dispatcher.HandedOver> handed = new ArrayList<>();
        for (Dispatcher.HandedOver next; (next = handedOver.poll()) != null; ) {
            handed.add(next);
        }
        return handed;
    }

    /** The pass's claims failed, so none of {@code handed} was pushed: they wait, in order, for the next pass. */
    void passFailed(List<Dispatcher.HandedOver> handed) {
        handed.reversed().forEach(handedOver::addFirst);
    }

    /** The pass that started at change {@code change} left nothing for {@code served}. */
    void passEmptied(long change, List<DeliveryTarget> served) {
        quiet = new Quiet(change, Set.copyOf(served));
    }
}
