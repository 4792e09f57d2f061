package com.claudemesh.broker.session;

import com.claudemesh.broker.routing.Push;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.web.socket.CloseStatus;

/**
 * One socket's outbound side: a queue of frames and the one writer that writes them, in order. Raw
 * WebSocket sessions break under concurrent writes, so nothing else writes to the socket. The writer
 * is a virtual thread started when the queue gets its first frame and ending when it is empty, so an
 * idle session holds no thread. The frames of one drain are batched into few write system calls;
 * what is batched is flushed before every ping and close, after {@link #FLUSH_EVERY} frames and when
 * the queue runs empty, and a push counts as written (for the {@link PushLedger}) only once flushed.
 *
 * <p>The queue is bounded by what may enter it: the pushes its ledger has room for, at most {@code
 * capacity} replies queued by the reader (it waits for room, {@link #offerFrame}), and the acks of
 * the sends in flight, which the reader already bounds ({@link #addReply}).
 */
final class Outbound {

    /** Frames written between two flushes at most, so that a long drain still confirms as it goes. */
    static final int FLUSH_EVERY = 32;

    /** What the writer may be asked to do. */
    sealed interface Item {}

    /** {@code slotted}: the frame holds one of the reader's reply slots until it is written. */
    record Frame(String json, boolean slotted) implements Item {}

    record PushFrame(Push push) implements Item {}

    /** A reply that did not come from the reader (an ack); serialised here, not on the thread that answers it. */
    record LateReply(Object frame) implements Item {}

    /** A ping now: the keepalive, or the one deferred until the previous pong. */
    record Ping() implements Item {}

    record Close(CloseStatus status) implements Item {}

    /**
     * What the owner of the socket hears from its writer. The writer never dies silently: a frame
     * that cannot be encoded is skipped and reported, and the writer goes on with the next; a write
     * that fails ends the writer and is reported, so the owner closes the socket.
     */
    interface Events {
        /** A write failed; {@code timedOut} when the peer did not drain within the send timeout. */
        void writeFailed(Exception failure, boolean timedOut);

        /** The push cannot be encoded as a frame: it was not written and no session ever can write it. */
        void pushUnencodable(Push push, RuntimeException failure);

        /** A reply cannot be encoded as a frame: it was not written. */
        void replyUnencodable(RuntimeException failure);

        /** The ledger has room again after a drain that filled it. */
        void roomAgain();

        /** A push frame was written to the socket. */
        void pushWritten(Push push);
    }

    private final TimedSocket socket;
    private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Semaphore replySlots;
    private final int capacity;
    private final PushLedger ledger;
    private final Duration closeConfirmWait;
    private final Events events;
    private final ReentrantLock confirmation = new ReentrantLock();
    private final Condition allConfirmed = confirmation.newCondition();
    /** Pushes handed to the socket since the last flush. Only the writer touches it. */
    private final List<Push> unflushed = new ArrayList<>();
    /** Pushes whose flush found the socket closing (written by the writer, read after {@link #stop}). */
    private final List<Push> flushedWhileClosing = new CopyOnWriteArrayList<>();

    private int framesSinceFlush;
    private volatile boolean moreWaiting;
    private volatile boolean stopped;
    private volatile Thread writer;

    Outbound(Socket socket, int capacity, Duration closeConfirmWait, Events events) {
        this.socket = new TimedSocket(socket);
        this.capacity = capacity;
        this.replySlots = new Semaphore(capacity);
        this.ledger = new PushLedger(capacity);
        this.closeConfirmWait = closeConfirmWait;
        this.events = events;
    }

    /** Pushes the session can take now; queued and written pushes count until a pong confirms them. */
    int room() {
        return stopped ? 0 : ledger.room();
    }

    /** Never blocks: a push that does not fit is refused (the dispatcher claims only what fits). */
    boolean offerPush(Push push) {
        if (stopped || !ledger.reserve()) {
            return false;
        }
        enqueue(new PushFrame(push));
        return true;
    }

    /** A reply of the reader: waits up to {@code wait} for a reply slot; {@code false} means the peer is not draining. */
    boolean offerFrame(String json, Duration wait) {
        if (stopped) {
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
        enqueue(new Frame(json, true));
        return true;
    }

    /** A reply that must not wait (an ack from the group commit); its caller bounds how many there can be. */
    void addReply(Object frame) {
        if (!stopped) {
            enqueue(new LateReply(frame));
        }
    }

    void requestKeepalivePing() {
        enqueue(new Ping());
    }

    /** Queues a close behind the frames already queued; {@code false} when the writer is gone. */
    boolean requestClose(CloseStatus status) {
        if (stopped) {
            return false;
        }
        enqueue(new Close(status));
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
            enqueue(new Ping());
        } else if (ledger.allConfirmed()) {
            confirmation.lock();
            try {
                allConfirmed.signalAll();
            } finally {
                confirmation.unlock();
            }
        }
        roomAgainIfDue();
        return pong.confirmed();
    }

    /** How long the oldest ping that covers pushes has gone unanswered; zero when none has. */
    Duration unconfirmedFor() {
        return ledger.unansweredFor(System.nanoTime());
    }

    /** Pushes written but not confirmed by a pong. */
    List<Push> unconfirmed() {
        return ledger.unconfirmed();
    }

    /**
     * What a completed close handshake confirms (A.6): the unconfirmed pushes, except those whose
     * flush found the socket already closing. Those raced the peer's close frame, and a peer that
     * saw them after its close may have dropped them (the JDK client fails such a session with a
     * protocol error and discards what it had not handed on): they are released, never confirmed.
     * Call after {@link #stop}.
     */
    List<Push> confirmedByHandshake() {
        List<Push> confirmed = new ArrayList<>(ledger.unconfirmed());
        confirmed.removeAll(flushedWhileClosing);
        return confirmed;
    }

    /** Ends the writer; waits briefly for a write in progress so the books are final afterwards. */
    void stop() {
        stopped = true;
        queue.clear();
        // Wakes a reader waiting for a reply slot: nothing will be written any more.
        replySlots.release(capacity);
        Thread current = writer;
        if (current != null && current != Thread.currentThread()) {
            try {
                current.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the write in progress has been blocked for (nearly) {@code sendTimeout} ({@link TimedSocket}). */
    boolean writeTimedOut(Duration sendTimeout) {
        return socket.writeTimedOut(sendTimeout);
    }

    private void enqueue(Item item) {
        queue.add(item);
        if (draining.compareAndSet(false, true)) {
            writer = Thread.ofVirtual().name("ws-writer-" + socket.id()).start(this::drain);
        }
    }

    /** Writes until the queue is empty, then ends — unless a frame came in as it was ending. */
    private void drain() {
        try {
            do {
                for (Item item; !stopped && (item = queue.poll()) != null; ) {
                    if (!write(item)) {
                        stopped = true;
                        return;
                    }
                    if (++framesSinceFlush >= FLUSH_EVERY) {
                        flushAndPingIfDue();
                    }
                }
                if (!stopped) {
                    flushAndPingIfDue();
                }
                draining.set(false);
            } while (!stopped && !queue.isEmpty() && draining.compareAndSet(false, true));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // Whatever Tomcat throws, the writer is done: the owner hears of it and closes the socket.
            if (!stopped) {
                stopped = true;
                events.writeFailed(e, TimedSocket.timedOut(e));
            }
        }
    }

    /** Hands one item to the socket; false after the close, when nothing more may be written. */
    private boolean write(Item item) throws IOException, InterruptedException {
        if (!socket.isOpen()) {
            // Closing, by the peer or the network: whatever is written now races the close frame.
            return false;
        }
        switch (item) {
            case Frame frame -> {
                if (frame.slotted()) {
                    replySlots.release();
                }
                socket.text(frame.json());
            }
            case LateReply reply -> {
                String json = encodeReply(reply.frame());
                if (json != null) {
                    socket.text(json);
                }
            }
            case PushFrame push -> {
                String json = encodePush(push.push());
                if (json != null) {
                    socket.text(json);
                    unflushed.add(push.push());
                }
            }
            case Ping ping -> {
                flush();
                ping();
            }
            case Close close -> {
                closeAfterConfirmation(close.status());
                return false;
            }
        }
        return true;
    }

    /** Writes what is batched; the pushes in it now count as written. */
    private void flush() throws IOException {
        socket.flush();
        framesSinceFlush = 0;
        boolean beforeAnyClose = socket.isOpen();
        for (Push push : unflushed) {
            ledger.written(push);
            events.pushWritten(push);
            if (!beforeAnyClose) {
                flushedWhileClosing.add(push);
            }
        }
        unflushed.clear();
    }

    /** {@link #flush}, then a ping if one is due: it covers what was flushed (coalesced, PushLedger). */
    private void flushAndPingIfDue() throws IOException {
        flush();
        if (ledger.pingDue(!queue.isEmpty())) {
            ping();
        }
        roomAgainIfDue();
    }

    /** The frame of a push, or null when it cannot be encoded: then it no longer counts as in flight. */
    private String encodePush(Push push) {
        try {
            return Frames.json(new Frames.PushFrame(push));
        } catch (RuntimeException e) {
            ledger.unreserve();
            events.pushUnencodable(push, e);
            return null;
        }
    }

    private String encodeReply(Object frame) {
        try {
            return Frames.json(frame);
        } catch (RuntimeException e) {
            events.replyUnencodable(e);
            return null;
        }
    }

    /** Sends the next numbered ping at once; it covers every push flushed before it. */
    private void ping() throws IOException {
        long number = ledger.ping(System.nanoTime());
        socket.ping(ByteBuffer.allocate(Long.BYTES).putLong(0, number));
        socket.flush();
    }

    private void roomAgainIfDue() {
        if (moreWaiting && room() > capacity / 2) {
            moreWaiting = false;
            events.roomAgain();
        }
    }

    /**
     * A broker-initiated close is orderly only if the peer provably read what was written: ask with a
     * ping and wait a moment for its pong before closing. What stays unconfirmed is released.
     */
    private void closeAfterConfirmation(CloseStatus status) throws IOException, InterruptedException {
        flush();
        if (!ledger.allConfirmed()) {
            ping();
            long deadline = System.nanoTime() + closeConfirmWait.toNanos();
            confirmation.lock();
            try {
                while (!ledger.allConfirmed()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    allConfirmed.awaitNanos(left);
                }
            } finally {
                confirmation.unlock();
            }
        }
        socket.close(status);
    }
}
