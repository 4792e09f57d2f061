package com.claudemesh.broker.session;

import com.claudemesh.broker.routing.Push;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The books of PROTOCOL A.6 for one socket, without the socket: which pushes were written, which
 * ping covers them, and which pong confirms them. A push counts as received once the peer answers a
 * ping the broker sent after writing it (WebSocket layers answer pings by themselves, in order).
 *
 * <p>Pings are coalesced the way Nagle's algorithm coalesces packets: a ping goes out when the
 * writer has nothing more queued — unless an earlier ping still awaits its pong; then the next one
 * waits for that pong (or for {@link #PUSHES_PER_PING} more pushes). One ping is in flight per
 * round trip, so a busy session confirms pushes in batches instead of answering a ping per push,
 * while a quiet one is still confirmed within a round trip.
 *
 * <p>At most {@code capacity} pushes are in flight — reserved for the writer, written, or awaiting
 * their pong — so a peer that reads but never confirms cannot pile up unconfirmed deliveries.
 * Called by the socket's writer and by its reader (pongs), so every method is synchronized; no
 * method does I/O.
 */
final class PushLedger {

    static final int PUSHES_PER_PING = 64;

    /** What a pong settled: the pushes it confirms, and whether a ping deferred until it is due now. */
    record Pong(List<Push> confirmed, boolean pingDue) {}

    private final int capacity;
    private int inFlight;
    private long pings;
    private List<Push> unpinged = new ArrayList<>();
    private final NavigableMap<Long, List<Push>> awaitingPong = new TreeMap<>();
    /** When each ping in {@link #awaitingPong} was sent, in nanoseconds of the caller's clock. */
    private final NavigableMap<Long, Long> sentAt = new TreeMap<>();

    PushLedger(int capacity) {
        this.capacity = capacity;
    }

    /** Pushes the session may still take. */
    synchronized int room() {
        return Math.max(0, capacity - inFlight);
    }

    /** Takes a place for a push about to be queued; false when the session is full. */
    synchronized boolean reserve() {
        if (inFlight >= capacity) {
            return false;
        }
        inFlight++;
        return true;
    }

    /** Gives back the place of a reserved push that will never be written. */
    synchronized void unreserve() {
        inFlight--;
    }

    /** The push is on the wire; the next ping covers it. */
    synchronized void written(Push push) {
        unpinged.add(push);
    }

    /** Whether the writer should ping now, given whether anything more is queued for it. */
    synchronized boolean pingDue(boolean moreQueued) {
        return unpinged.size() >= PUSHES_PER_PING || (!unpinged.isEmpty() && !moreQueued && awaitingPong.isEmpty());
    }

    /** The number of the ping to send now; it covers every push written before it. */
    synchronized long ping(long nowNanos) {
        long number = ++pings;
        if (!unpinged.isEmpty()) {
            awaitingPong.put(number, unpinged);
            sentAt.put(number, nowNanos);
            unpinged = new ArrayList<>();
        }
        return number;
    }

    /** The peer answered ping {@code number}: it read every push covered by that ping and the earlier ones. */
    synchronized Pong pong(long number) {
        Map<Long, List<Push>> covered = awaitingPong.headMap(number, true);
        List<Push> confirmed = new ArrayList<>();
        covered.values().forEach(confirmed::addAll);
        covered.clear();
        sentAt.headMap(number, true).clear();
        inFlight -= confirmed.size();
        return new Pong(confirmed, awaitingPong.isEmpty() && !unpinged.isEmpty());
    }

    /** Nothing written is waiting for confirmation. */
    synchronized boolean allConfirmed() {
        return awaitingPong.isEmpty() && unpinged.isEmpty();
    }

    /** Pushes written but not confirmed, oldest first. */
    synchronized List<Push> unconfirmed() {
        List<Push> all = new ArrayList<>();
        awaitingPong.values().forEach(all::addAll);
        all.addAll(unpinged);
        return all;
    }

    /** How long the oldest ping that covers pushes has gone unanswered; zero when none has. */
    synchronized Duration unansweredFor(long nowNanos) {
        return sentAt.isEmpty()
                ? Duration.ZERO
                : Duration.ofNanos(nowNanos - sentAt.firstEntry().getValue());
    }
}
