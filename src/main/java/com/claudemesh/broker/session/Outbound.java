package com.claudemesh.broker.session;

import com.claudemesh.broker.routing.Push;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One socket's outbound side: a buffer of frames and the one virtual thread that writes them, in
 * order. Raw WebSocket sessions break under concurrent writes, so nothing else writes to the socket.
 * The buffer is bounded by what may enter it: at most {@code capacity} pushes not yet confirmed,
 * at most {@code capacity} replies queued by the reader (it waits for room, {@link #offerFrame}),
 * and the acks of the sends in flight, which the reader already bounds ({@link #addReply}).
 *
 * <p>It also keeps the books of PROTOCOL A.6: pushes written since the last ping are covered by the
 * next ping, and the pong echoing that ping's number confirms all of them at once. The ping goes
 * out as soon as the buffer runs empty — unless an earlier ping still awaits its pong: then it goes
 * when that pong arrives (or after {@link #PUSHES_PER_PING} pushes). Like Nagle's algorithm, this
 * keeps one ping in flight per round trip, so a busy session confirms pushes in batches instead of
 * answering a ping per push, while a quiet one is still confirmed within a round trip.
 */
final class Outbound {

    static final int PUSHES_PER_PING = 64;

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

    record Stop() implements Item {}

    /** What the owner of the socket hears from its writer. */
    interface Events {
        /** A write failed; {@code timedOut} when the peer did not drain within the send timeout. */
        void writeFailed(boolean timedOut);

        /** The buffer has room again after a drain that filled it. */
        void roomAgain();

        /** A push frame was written to the socket. */
        void pushWritten(Push push);
    }

    private final WebSocketSession socket;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Semaphore replySlots;
    private final int capacity;
    private final Duration closeConfirmWait;
    private final Events events;
    private final ReentrantLock books = new ReentrantLock();
    private final Condition allConfirmed = books.newCondition();
    private List<Push> unpinged = new ArrayList<>();
    private final NavigableMap<Long, List<Push>> awaitingPong = new TreeMap<>();
    /** When each ping in {@link #awaitingPong} was sent (System.nanoTime). */
    private final NavigableMap<Long, Long> pingSentAt = new TreeMap<>();
    /** Pushes queued or written and not yet confirmed: at most {@code capacity} at a time. */
    private final AtomicInteger inFlight = new AtomicInteger();

    private long pings;
    private volatile boolean moreWaiting;
    private volatile boolean stopped;
    private volatile Thread writer;
    /** When the write in progress started (System.nanoTime), or 0 between writes. */
    private volatile long writeStartedNanos;

    Outbound(WebSocketSession socket, int capacity, Duration closeConfirmWait, Events events) {
        this.socket = socket;
        this.capacity = capacity;
        this.replySlots = new Semaphore(capacity);
        this.closeConfirmWait = closeConfirmWait;
        this.events = events;
    }

    void start(String name) {
        writer = Thread.ofVirtual().name(name).start(this::writeLoop);
    }

    /**
     * Pushes the session can take now: queued and written pushes count until a pong confirms them,
     * so a peer that reads but does not confirm cannot pile up unconfirmed deliveries.
     */
    int room() {
        return stopped ? 0 : Math.max(0, capacity - inFlight.get());
    }

    /** Never blocks: a push that does not fit is refused (the dispatcher claims only what fits). */
    boolean offerPush(Push push) {
        if (stopped) {
            return false;
        }
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            return false;
        }
        queue.add(new PushFrame(push));
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
        queue.add(new Frame(json, true));
        return true;
    }

    /** A reply that must not wait (an ack from the group commit); its caller bounds how many there can be. */
    void addReply(Object frame) {
        if (!stopped) {
            queue.add(new LateReply(frame));
        }
    }

    void requestKeepalivePing() {
        queue.add(new Ping());
    }

    /** Queues a close behind the frames already queued; {@code false} when the writer is gone. */
    boolean requestClose(CloseStatus status) {
        if (stopped) {
            return false;
        }
        queue.add(new Close(status));
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
        long number = payload.getLong(payload.position());
        books.lock();
        try {
            Map<Long, List<Push>> covered = awaitingPong.headMap(number, true);
            List<Push> confirmed = new ArrayList<>();
            covered.values().forEach(confirmed::addAll);
            covered.clear();
            pingSentAt.headMap(number, true).clear();
            inFlight.addAndGet(-confirmed.size());
            if (awaitingPong.isEmpty() && unpinged.isEmpty()) {
                allConfirmed.signalAll();
            } else if (awaitingPong.isEmpty()) {
                // The ping for these pushes was deferred until this pong.
                queue.add(new Ping());
            }
            return confirmed;
        } finally {
            books.unlock();
            if (moreWaiting && room() > capacity / 2) {
                moreWaiting = false;
                events.roomAgain();
            }
        }
    }

    /** How long the oldest ping that covers pushes has gone unanswered; zero when none is pending. */
    Duration unconfirmedFor() {
        books.lock();
        try {
            return pingSentAt.isEmpty()
                    ? Duration.ZERO
                    : Duration.ofNanos(
                            System.nanoTime() - pingSentAt.firstEntry().getValue());
        } finally {
            books.unlock();
        }
    }

    /** Pushes written but not confirmed by a pong. */
    List<Push> unconfirmed() {
        books.lock();
        try {
            List<Push> all = new ArrayList<>();
            awaitingPong.values().forEach(all::addAll);
            all.addAll(unpinged);
            return all;
        } finally {
            books.unlock();
        }
    }

    /** Ends the writer; waits briefly for a write in progress so the books are final afterwards. */
    void stop() {
        stopped = true;
        queue.clear();
        queue.add(new Stop());
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

    private void writeLoop() {
        try {
            while (!stopped) {
                Item item = queue.take();
                switch (item) {
                    case Frame frame -> {
                        if (frame.slotted()) {
                            replySlots.release();
                        }
                        write(new TextMessage(frame.json()));
                    }
                    case LateReply reply -> write(new TextMessage(Frames.json(reply.frame())));
                    case PushFrame push -> {
                        write(new TextMessage(Frames.json(new Frames.PushFrame(push.push()))));
                        written(push.push());
                        events.pushWritten(push.push());
                    }
                    case Ping ping -> ping();
                    case Close close -> {
                        closeAfterConfirmation(close.status());
                        return;
                    }
                    case Stop stop -> {
                        return;
                    }
                }
                int unpinged = unpingedCount();
                if (unpinged >= PUSHES_PER_PING || (unpinged > 0 && queue.isEmpty() && !awaitingPong())) {
                    ping();
                }
                if (moreWaiting && room() > capacity / 2) {
                    moreWaiting = false;
                    events.roomAgain();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | IllegalStateException e) {
            if (!stopped) {
                events.writeFailed(timedOut(e));
            }
        }
    }

    private void write(WebSocketMessage<?> message) throws IOException {
        writeStartedNanos = System.nanoTime();
        try {
            socket.sendMessage(message);
        } finally {
            writeStartedNanos = 0;
        }
    }

    /**
     * How long the write in progress has been blocked. Tomcat ends a write that the peer does not
     * drain within the send timeout by dropping the connection, and reports that as an abnormal
     * close before the writer sees its exception: this tells that close apart as a slow consumer.
     */
    Duration writeBlockedFor() {
        long started = writeStartedNanos;
        return started == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started);
    }

    private void written(Push push) {
        books.lock();
        try {
            unpinged.add(push);
        } finally {
            books.unlock();
        }
    }

    private boolean awaitingPong() {
        books.lock();
        try {
            return !awaitingPong.isEmpty();
        } finally {
            books.unlock();
        }
    }

    private int unpingedCount() {
        books.lock();
        try {
            return unpinged.size();
        } finally {
            books.unlock();
        }
    }

    /** Sends the next numbered ping; it covers every push written before it. */
    private void ping() throws IOException {
        long number;
        books.lock();
        try {
            number = ++pings;
            if (!unpinged.isEmpty()) {
                awaitingPong.put(number, unpinged);
                pingSentAt.put(number, System.nanoTime());
                unpinged = new ArrayList<>();
            }
        } finally {
            books.unlock();
        }
        write(new PingMessage(ByteBuffer.allocate(Long.BYTES).putLong(0, number)));
    }

    /**
     * A broker-initiated close is orderly only if the peer provably read what was written: ask with a
     * ping and wait a moment for its pong before closing. What stays unconfirmed is released.
     */
    private void closeAfterConfirmation(CloseStatus status) throws IOException, InterruptedException {
        if (!unconfirmed().isEmpty()) {
            ping();
            long deadline = System.nanoTime() + closeConfirmWait.toNanos();
            books.lock();
            try {
                while (!(awaitingPong.isEmpty() && unpinged.isEmpty())) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    allConfirmed.awaitNanos(left);
                }
            } finally {
                books.unlock();
            }
        }
        socket.close(status);
    }

    private static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
