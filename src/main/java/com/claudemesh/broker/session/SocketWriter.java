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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.springframework.web.socket.CloseStatus;

/**
 * The one thread that writes a socket, in queue order. Raw WebSocket sessions break under
 * concurrent writes, so nothing else writes to the socket. It is a virtual thread started when the
 * queue gets an item and ending when the queue is empty, so an idle session holds no thread.
 *
 * <p>The frames of one drain are batched into few write system calls. What is batched is flushed
 * at every ping and before the close, after {@link #FLUSH_EVERY} frames and when the queue runs
 * empty; a ping goes out behind the pushes it covers, in the same write. A close handshake confirms
 * a push (A.6) only once its flush has returned with the socket open ({@link #unproven}). What may
 * enter the queue is decided by its owner, {@link Outbound}.
 */
final class SocketWriter {

    /** Frames written between two flushes at most, so that a long drain still confirms as it goes. */
    static final int FLUSH_EVERY = 32;

    /** What the writer may be asked to do. */
    sealed interface Item {}

    /** A reply of the reader; it gives back its reply slot once handed to the socket. */
    record Reply(String json) implements Item {}

    record PushFrame(Push push) implements Item {}

    /** A reply that did not come from the reader (an ack); serialised here, not on the thread that answers it. */
    record LateReply(Object frame) implements Item {}

    /** A ping now: the keepalive, or the one deferred until the previous pong. */
    record Ping() implements Item {}

    record Close(CloseStatus status) implements Item {}

    /**
     * What the writer's owner does for it, on the writer's thread. The writer never dies silently: a
     * write that fails ends the writer and is handed to the owner, who closes the socket.
     */
    interface Owner {
        /** A reader's reply was handed to the socket: its reply slot is free. */
        void replyWritten();

        /** A flush is done: the ledger may have room again. */
        void flushed();

        /** A write failed; {@code timedOut} when the peer did not drain within the send timeout. */
        void writeFailed(Exception failure, boolean timedOut);
    }

    /**
     * What is recorded of the writer's work; nothing of it changes the connection. A frame that
     * cannot be encoded is skipped and reported, and the writer goes on with the next.
     */
    interface Reports {
        /** A push frame was written to the socket. */
        void pushWritten(Push push);

        /** The push cannot be encoded as a frame: it was not written and no session ever can write it. */
        void pushUnencodable(Push push, RuntimeException failure);

        /** A reply cannot be encoded as a frame: it was not written. */
        void replyUnencodable(RuntimeException failure);

        /** A write failed, and not because the peer closed first; the owner closes the socket. */
        void writeFailed(Exception failure, boolean timedOut);
    }

    private final TimedSocket socket;
    private final PushLedger ledger;
    private final Duration closeConfirmWait;
    private final Owner owner;
    private final Reports reports;
    private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ReentrantLock confirmation = new ReentrantLock();
    private final Condition allConfirmed = confirmation.newCondition();
    /** Pushes handed to the socket since the last flush. Only the writer touches it. */
    private List<Push> unflushed = new ArrayList<>();
    /**
     * The pushes of the flush in progress, published before it starts and cleared once it has
     * returned; left in place when it failed. Read by the end of the session.
     */
    private volatile List<Push> flushing = List.of();
    /** Pushes whose flush returned but found the socket closing. */
    private final List<Push> racedTheClose = new CopyOnWriteArrayList<>();

    private int framesSinceFlush;
    private volatile boolean stopped;
    private volatile Thread thread;

    SocketWriter(TimedSocket socket, PushLedger ledger, Duration closeConfirmWait, Owner owner, Reports reports) {
        this.socket = socket;
        this.ledger = ledger;
        this.closeConfirmWait = closeConfirmWait;
        this.owner = owner;
        this.reports = reports;
    }

    /** Queues an item and starts the writer if none is running. */
    void enqueue(Item item) {
        queue.add(item);
        if (draining.compareAndSet(false, true)) {
            thread = Thread.ofVirtual().name("ws-writer-" + socket.id()).start(this::drain);
        }
    }

    /** Whether the writer is done: stopped, failed, or past its close. Nothing more is written then. */
    boolean stopped() {
        return stopped;
    }

    /** Nothing more is written; a write in progress still ends ({@link #awaitEnd}). */
    void stop() {
        stopped = true;
        queue.clear();
    }

    /** Waits briefly for a write in progress, so that the books are final afterwards. */
    void awaitEnd() {
        Thread current = thread;
        if (current != null && current != Thread.currentThread()) {
            try {
                current.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Pushes the ledger counts as written whose flush failed, found the socket closing or is still
     * in progress: a close handshake does not prove the peer read them.
     */
    List<Push> unproven() {
        List<Push> unproven = new ArrayList<>(racedTheClose);
        unproven.addAll(flushing);
        return unproven;
    }

    /** A pong confirmed every push: wakes a close waiting for that. */
    void allConfirmed() {
        confirmation.lock();
        try {
            allConfirmed.signalAll();
        } finally {
            confirmation.unlock();
        }
    }

    /** Writes until the queue is empty, then ends — unless an item came in as it was ending. */
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
                owner.writeFailed(e, TimedSocket.timedOut(e));
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
            case Reply reply -> {
                owner.replyWritten();
                socket.text(reply.json());
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
            case Ping ping -> flush(() -> true);
            case Close close -> {
                closeAfterConfirmation(close.status());
                return false;
            }
        }
        return true;
    }

    /**
     * Writes what is batched and, behind it in the same write system call, a ping if {@code
     * pingWanted} — asked once the batch's pushes count as written, so that the ping covers them.
     * Returns whether it pinged. The pushes stay {@link #unproven} until the write has returned with
     * the socket open.
     */
    private boolean flush(BooleanSupplier pingWanted) throws IOException {
        List<Push> batch = unflushed;
        if (!batch.isEmpty()) {
            unflushed = new ArrayList<>();
        }
        flushing = batch;
        for (Push push : batch) {
            ledger.written(push);
        }
        boolean ping = pingWanted.getAsBoolean();
        if (ping) {
            socket.ping(ByteBuffer.allocate(Long.BYTES).putLong(0, ledger.ping(System.nanoTime())));
        }
        socket.flush();
        framesSinceFlush = 0;
        for (Push push : batch) {
            reports.pushWritten(push);
        }
        if (!socket.isOpen()) {
            racedTheClose.addAll(batch);
        }
        flushing = List.of();
        return ping;
    }

    /** {@link #flush} with a ping if one is due (coalesced, {@link PushLedger}). */
    private void flushAndPingIfDue() throws IOException {
        flush(() -> ledger.pingDue(!queue.isEmpty()));
        owner.flushed();
    }

    /** The frame of a push, or null when it cannot be encoded: then it no longer counts as in flight. */
    private String encodePush(Push push) {
        try {
            return push.encoded().text(() -> Frames.json(new Frames.PushFrame(push)));
        } catch (RuntimeException e) {
            ledger.unreserve();
            reports.pushUnencodable(push, e);
            return null;
        }
    }

    private String encodeReply(Object frame) {
        try {
            return Frames.json(frame);
        } catch (RuntimeException e) {
            reports.replyUnencodable(e);
            return null;
        }
    }

    /**
     * A broker-initiated close is orderly only if the peer provably read what was written: ask with a
     * ping and wait a moment for its pong before closing. What stays unconfirmed is released.
     */
    private void closeAfterConfirmation(CloseStatus status) throws IOException, InterruptedException {
        if (flush(() -> !ledger.allConfirmed())) {
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
