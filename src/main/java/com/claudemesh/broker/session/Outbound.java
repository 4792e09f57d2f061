package com.claudemesh.broker.session;

import com.claudemesh.broker.routing.Push;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.web.socket.CloseStatus;

/**
 * One socket's outbound side: what may be queued for its {@link SocketWriter}, and the books of
 * what was written ({@link PushLedger}). Routing, the reader and the group commit queue here; only
 * the writer writes.
 *
 * <p>The queue is bounded by what may enter it: the pushes the ledger has room for, at most {@code
 * capacity} replies queued by the reader (it waits for room, {@link #offerFrame}), and the acks of
 * the sends in flight, which the reader already bounds ({@link #addReply}).
 */
final class Outbound {

    /** What the connection acts on. */
    interface Events {
        /**
         * A write failed and the writer is done (reported already); {@code timedOut} when the peer
         * did not drain in time. Not called when the peer's close came first.
         */
        void writeFailed(boolean timedOut);

        /** The ledger has room again after a drain that filled it. */
        void roomAgain();
    }

    private final TimedSocket socket;
    private final Semaphore replySlots;
    private final int capacity;
    private final PushLedger ledger;
    private final SocketWriter writer;
    private final Events events;
    private final SocketWriter.Reports reports;
    private volatile boolean moreWaiting;

    Outbound(Socket socket, int capacity, Duration closeConfirmWait, Events events, SocketWriter.Reports reports) {
        this.socket = new TimedSocket(socket);
        this.capacity = capacity;
        this.replySlots = new Semaphore(capacity);
        this.ledger = new PushLedger(capacity);
        this.events = events;
        this.reports = reports;
        this.writer = new SocketWriter(this.socket, ledger, closeConfirmWait, new WriterOwner(), reports);
    }

    /** Pushes the session can take now; queued and written pushes count until a pong confirms them. */
    int room() {
        return writer.stopped() ? 0 : ledger.room();
    }

    /** Never blocks: a push that does not fit is refused (the dispatcher claims only what fits). */
    boolean offerPush(Push push) {
        if (writer.stopped() || !ledger.reserve()) {
            return false;
        }
        writer.enqueue(new SocketWriter.PushFrame(push));
        return true;
    }

    /** A reply of the reader: waits up to {@code wait} for a reply slot; {@code false} means the peer is not draining. */
    boolean offerFrame(String json, Duration wait) {
        if (writer.stopped()) {
            return false;
        }
        try {
            if (!replySlots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        writer.enqueue(new SocketWriter.Reply(json));
        return true;
    }

    /** A reply that must not wait (an ack from the group commit); its caller bounds how many there can be. */
    void addReply(Object frame) {
        if (!writer.stopped()) {
            writer.enqueue(new SocketWriter.LateReply(frame));
        }
    }

    void requestKeepalivePing() {
        writer.enqueue(new SocketWriter.Ping());
    }

    /** Queues a close behind the frames already queued; {@code false} when the writer is gone. */
    boolean requestClose(CloseStatus status) {
        if (writer.stopped()) {
            return false;
        }
        writer.enqueue(new SocketWriter.Close(status));
        return true;
    }

    void moreWaiting() {
        moreWaiting = true;
    }

    /** Pushes the pong for ping {@code payload} confirms; empty for a pong the broker did not ask for. */
    List<Push> pongReceived(ByteBuffer payload) {
        if (payload.remaining() != Long.BYTES) {
            return List.of();
        }
        PushLedger.Pong pong = ledger.pong(payload.getLong(payload.position()));
        if (pong.pingDue()) {
            writer.enqueue(new SocketWriter.Ping());
        } else if (ledger.allConfirmed()) {
            writer.allConfirmed();
        }
        roomAgainIfDue();
        return pong.confirmed();
    }

    /** How long the oldest ping that covers pushes has gone unanswered; zero when none has. */
    Duration unconfirmedFor() {
        return ledger.unansweredFor(System.nanoTime());
    }

    /**
     * What a completed close handshake confirms (A.6): the pushes written and not yet confirmed by a
     * pong, except those whose flush did not return with the socket open (failed, still in progress,
     * or found the socket already closing). Those raced the peer's close frame, and a peer that saw
     * them after its close may have dropped them (the JDK client fails such a session with a
     * protocol error and discards what it had not handed on): they are released, never confirmed.
     * Call after {@link #stop}.
     */
    List<Push> confirmedByHandshake() {
        List<Push> confirmed = new ArrayList<>(ledger.unconfirmed());
        confirmed.removeAll(writer.unproven());
        return confirmed;
    }

    /** Ends the writer; afterwards the books are final. */
    void stop() {
        writer.stop();
        // Wakes a reader waiting for a reply slot: nothing will be written any more.
        replySlots.release(capacity);
        writer.awaitEnd();
    }

    /** Whether the write in progress has been blocked for (nearly) {@code sendTimeout} ({@link TimedSocket}). */
    boolean writeTimedOut(Duration sendTimeout) {
        return socket.writeTimedOut(sendTimeout);
    }

    private final class WriterOwner implements SocketWriter.Owner {
        @Override
        public void replyWritten() {
            replySlots.release();
        }

        @Override
        public void flushed() {
            roomAgainIfDue();
        }

        @Override
        public void writeFailed(Exception failure, boolean timedOut) {
            if (!timedOut && !socket.isOpen()) {
                // The peer's close (or the network's end) reached Tomcat first and the write found
                // the socket closing: not a failure of the broker's. The connection's onClosed
                // follows and judges by the close code — a completed handshake confirms what was
                // written, as A.6 says.
                return;
            }
            reports.writeFailed(failure, timedOut);
            events.writeFailed(timedOut);
        }
    }

    private void roomAgainIfDue() {
        if (moreWaiting && room() > capacity / 2) {
            moreWaiting = false;
            events.roomAgain();
        }
    }
}
