package com.claudemesh.broker.bench;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What was sent and what arrived. Every plaintext names its sender, a per-sender sequence number
 * (together the message's unique key), its recipient and its send time, so a receiver that decrypts
 * a push can tell a new delivery from a duplicate, a late one from a reordered one, and a genuine
 * one from a corrupt one (wrong sender, wrong recipient, unknown key, altered bytes).
 */
final class Ledger {

    static final int BROADCAST = -1;

    private static final String MAGIC = "cmbench|";
    /** Order is checked per sender→recipient pair while the pair table stays small. */
    private static final int MAX_ORDERED_PEERS = 4096;

    private static final class Expectation {
        final long sendNanos;
        final BitSet received = new BitSet();
        volatile boolean rejected;

        Expectation(long sendNanos) {
            this.sendNanos = sendNanos;
        }
    }

    private final int peers;
    private final int payloadBytes;
    /**
     * What each sender sent, by sequence number. One map per sender rather than one keyed by
     * {@code sender << 32 | seq}: that {@code Long}'s hash code is {@code sender ^ seq}, which
     * crowds 100 000 messages of 100 senders onto 1 024 hash codes.
     */
    private final ConcurrentHashMap<Integer, Expectation>[] sent;

    private final AtomicLongArray lastSeq;
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    final AtomicLong sends = new AtomicLong();
    final AtomicLong acks = new AtomicLong();
    final AtomicLong rejects = new AtomicLong();
    final AtomicLong expected = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong corrupt = new AtomicLong();
    final AtomicLong outOfOrder = new AtomicLong();
    final Latencies ackLatency = new Latencies();
    final Latencies e2eLatency = new Latencies();
    private final AtomicLong firstSendNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastDeliveryNanos = new AtomicLong();

    Ledger(int peers, int payloadBytes) {
        this.peers = peers;
        this.payloadBytes = payloadBytes;
        this.lastSeq = peers <= MAX_ORDERED_PEERS ? new AtomicLongArray(peers * peers) : null;
        @SuppressWarnings("unchecked")
        ConcurrentHashMap<Integer, Expectation>[] bySender = new ConcurrentHashMap[peers];
        for (int i = 0; i < peers; i++) {
            bySender[i] = new ConcurrentHashMap<>();
        }
        this.sent = bySender;
    }

    /** The plaintext of message {@code seq} of {@code sender}, padded to the run's payload size. */
    byte[] plaintext(int sender, int seq, int recipient, long sendNanos) {
        StringBuilder text = new StringBuilder(payloadBytes)
                .append(MAGIC)
                .append(sender)
                .append('|')
                .append(seq)
                .append('|')
                .append(recipient)
                .append('|')
                .append(sendNanos)
                .append('|');
        text.repeat('x', Math.max(0, payloadBytes - text.length()));
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Registers a send before its frame leaves, so that even a very fast push finds it. */
    void sending(int sender, int seq, int deliveries, long sendNanos) {
        sent[sender].put(seq, new Expectation(sendNanos));
        expected.addAndGet(deliveries);
        sends.incrementAndGet();
        firstSendNanos.accumulateAndGet(sendNanos, Math::min);
    }

    void acked(int sender, int seq, long nowNanos) {
        Expectation e = sent[sender].get(seq);
        acks.incrementAndGet();
        if (e != null) {
            ackLatency.record(e.sendNanos, nowNanos);
        }
    }

    /** The broker refused the send: nothing was stored, so nothing is expected. */
    void rejected(int sender, int seq, int deliveries, String code) {
        Expectation e = sent[sender].get(seq);
        rejects.incrementAndGet();
        error(code);
        if (e != null) {
            e.rejected = true;
            expected.addAndGet(-deliveries);
        }
    }

    void error(String code) {
        errors.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
    }

    /**
     * Accounts one decrypted push to {@code recipient} whose frame named {@code pushSender} as
     * sender; {@code plain} is null when decryption failed.
     */
    void received(int recipient, int pushSender, byte[] plain, long nowNanos) {
        Parsed p = plain == null ? null : parse(plain);
        if (p == null
                || p.sender != pushSender
                || (p.recipient != recipient && p.recipient != BROADCAST)
                || p.sender == recipient) {
            corrupt.incrementAndGet();
            return;
        }
        Expectation e = sent[p.sender].get(p.seq);
        if (e == null || e.sendNanos != p.sendNanos || e.rejected) {
            corrupt.incrementAndGet();
            return;
        }
        synchronized (e) {
            if (e.received.get(recipient)) {
                duplicates.incrementAndGet();
                return;
            }
            e.received.set(recipient);
        }
        delivered.incrementAndGet();
        e2eLatency.record(e.sendNanos, nowNanos);
        lastDeliveryNanos.accumulateAndGet(nowNanos, Math::max);
        if (lastSeq != null) {
            // A recipient's pushes are handled one at a time (one handler thread per socket), so the
            // read-then-write of its own cells needs no lock.
            int cell = p.sender * peers + recipient;
            if (lastSeq.get(cell) > p.seq + 1L) {
                outOfOrder.incrementAndGet();
            } else {
                lastSeq.set(cell, p.seq + 1L);
            }
        }
    }

    private record Parsed(int sender, int seq, int recipient, long sendNanos) {}

    private Parsed parse(byte[] plain) {
        if (plain.length != payloadBytes) {
            return null;
        }
        String text = new String(plain, StandardCharsets.US_ASCII);
        if (!text.startsWith(MAGIC)) {
            return null;
        }
        String[] fields = text.substring(MAGIC.length()).split("\\|", 5);
        if (fields.length != 5) {
            return null;
        }
        try {
            Parsed p = new Parsed(
                    Integer.parseInt(fields[0]),
                    Integer.parseInt(fields[1]),
                    Integer.parseInt(fields[2]),
                    Long.parseLong(fields[3]));
            return p.sender >= 0 && p.sender < peers ? p : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    boolean allDelivered() {
        return sends.get() == acks.get() + rejects.get() && delivered.get() >= expected.get();
    }

    long inFlight() {
        return sends.get() - acks.get() - rejects.get();
    }

    long firstSendNanos() {
        return firstSendNanos.get();
    }

    long lastDeliveryNanos() {
        return lastDeliveryNanos.get();
    }

    Map<String, Long> errors() {
        Map<String, Long> copy = new TreeMap<>();
        errors.forEach((code, count) -> copy.put(code, count.get()));
        return copy;
    }
}
