package com.claudemesh.broker.session;

import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.presence.Presence;
import com.claudemesh.broker.presence.Status;
import com.claudemesh.broker.routing.DeliveryTarget;
import com.claudemesh.broker.routing.Push;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.JsonNode;

/**
 * One WebSocket connection's state machine: awaiting hello → open → closed (PROTOCOL A.3). Inbound
 * frames arrive one at a time on the socket's reader; everything outbound goes through its {@link
 * Outbound} writer. As a {@link DeliveryTarget} it takes pushes once its {@code hello_ack} is queued.
 */
final class Connection implements DeliveryTarget, Outbound.Events {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    enum State {
        AWAITING_HELLO,
        OPEN,
        CLOSED
    }

    /** Close codes that never follow a close frame of the peer: an abnormal end, not a handshake. */
    private static final List<Integer> NOT_A_PEER_CLOSE = List.of(1002, 1003, 1006, 1007, 1009, 1010, 1011, 1015);

    /**
     * Sends of one socket in flight at once: the reader hands a send to the group commit and reads
     * on (so pongs are never stuck behind sends), until this many wait for their ack.
     */
    static final int PIPELINED_SENDS = 64;

    /** How long the reader waits for an ack slot before it gives up on a broker that cannot commit. */
    private static final Duration SEND_SLOT_WAIT = Duration.ofSeconds(30);

    /** last_ping_at is a liveness mark, not a log: one write a second per session is plenty. */
    private static final Duration TOUCH_EVERY = Duration.ofSeconds(1);

    private final WebSocketSession socket;
    private final ConnectionServices services;
    private final Outbound outbound;
    private final Instant connectedAt;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Held while confirming pushes and during the final accounting, so release never overtakes a confirm. */
    private final ReentrantLock accounting = new ReentrantLock();

    private final Semaphore sendSlots = new Semaphore(PIPELINED_SENDS);
    /** The latest confirmation handed to the database; the final release waits for it. */
    private volatile CompletableFuture<Void> confirming = CompletableFuture.completedFuture(null);

    private volatile State state = State.AWAITING_HELLO;
    private volatile Member member;
    private volatile Presence presence;
    private volatile Status status = Status.IDLE;
    private volatile boolean delivering;
    private volatile String reservedMeshSlot;
    private volatile Instant lastHeard;
    private volatile Instant lastPingRequested;
    private volatile long lastActivity;
    private volatile Instant lastTouched = Instant.MIN;
    private volatile boolean brokerInitiatedClose;
    private volatile String closeReason;
    /** Fragments of the text message being received; only the socket's reader thread touches these. */
    private StringBuilder assembling;

    private boolean discardingOversized;

    Connection(WebSocketSession socket, ConnectionServices services) {
        this.socket = socket;
        this.services = services;
        this.connectedAt = services.clock().instant();
        this.lastHeard = connectedAt;
        this.lastPingRequested = connectedAt;
        this.outbound = new Outbound(
                socket,
                services.settings().outboundQueueFrames(),
                services.settings().closeConfirmWait(),
                this);
    }

    void start() {
        outbound.start("ws-writer-" + socket.getId());
    }

    // ---- inbound ----

    /**
     * One fragment of an incoming text message. Tomcat hands over fragments of at most its (small)
     * buffer, so an idle session holds kilobytes rather than a {@code MAX_MESSAGE_BYTES} buffer; the
     * message size limit (A.1: close 1009) is enforced here while the message is assembled.
     */
    void onTextPart(String part, boolean last) {
        if (discardingOversized) {
            discardingOversized = !last;
            return;
        }
        if (last && assembling == null) {
            onText(part);
            return;
        }
        if (assembling == null) {
            assembling = new StringBuilder(part.length() * 2);
        }
        if (assembling.length() + part.length() > services.settings().maxMessageBytes()) {
            assembling = null;
            discardingOversized = !last;
            closeByBroker(new CloseStatus(1009, "message too big"), "too_big");
            return;
        }
        assembling.append(part);
        if (last) {
            String whole = assembling.toString();
            assembling = null;
            onText(whole);
        }
    }

    void onText(String text) {
        if (state == State.CLOSED) {
            return;
        }
        lastHeard = services.clock().instant();
        touchIfDue(lastHeard);
        boolean oversized = exceedsBytes(text, services.settings().maxMessageBytes());
        Frames.Inbound frame = Frames.parse(text);
        if (state == State.AWAITING_HELLO) {
            if (oversized) {
                closeByBroker(new CloseStatus(1009, "message too big"), "too_big");
            } else if (frame instanceof Frames.Typed typed && "hello".equals(typed.type())) {
                // Under the accounting lock: a close racing the hello waits until the session is whole.
                accounting.lock();
                try {
                    services.lifecycle().hello(this, typed.body());
                } finally {
                    accounting.unlock();
                }
            } else {
                send(new Frames.Error("no_hello", "must send hello first"));
            }
            return;
        }
        lastActivity = System.nanoTime();
        switch (frame) {
            case Frames.Unparseable unparseable -> {
                if (oversized) {
                    closeByBroker(new CloseStatus(1009, "message too big"), "too_big");
                } else {
                    send(new Frames.Error("malformed", "frame is not a JSON object with a string type"));
                }
            }
            case Frames.Typed typed -> {
                switch (typed.type()) {
                    case "send" -> handleSend(typed.body(), oversized);
                    case "hello" -> send(new Frames.Error("already_authenticated", "this session already sent hello"));
                    case "set_status" -> setStatus(typed);
                    default -> {
                        if (oversized) {
                            closeByBroker(new CloseStatus(1009, "message too big"), "too_big");
                        } else {
                            send(new Frames.Error("unknown_type", "unknown message type"));
                        }
                    }
                }
            }
        }
    }

    /**
     * Hands the send to the group commit and returns to reading; the ack (or error) is queued when
     * the envelope is committed. The reply slot is taken now, so a peer that does not read its acks
     * is bounded like any other, and order per sender holds because the group commit keeps the
     * order in which sends are handed to it.
     */
    private void handleSend(JsonNode body, boolean oversized) {
        try {
            if (!sendSlots.tryAcquire(SEND_SLOT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Sends of a session waited {} for the database; closing it", SEND_SLOT_WAIT);
                closeByBroker(CloseStatus.SERVER_ERROR, "internal_error");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        services.sends().handle(member, body, oversized, reply -> {
            outbound.addReply(reply);
            sendSlots.release();
        });
    }

    void onPong(ByteBuffer payload) {
        lastHeard = services.clock().instant();
        touchIfDue(lastHeard);
        accounting.lock();
        try {
            List<Push> confirmed = outbound.pongReceived(payload);
            if (!confirmed.isEmpty()) {
                // Confirmations of all sessions are written together; the claims stay with this
                // session until then, and its final release waits for them.
                confirmed(services.dispatcher()
                        .confirm(
                                member.id(),
                                confirmed.stream().map(Push::messageId).toList()));
            }
        } finally {
            accounting.unlock();
        }
    }

    /**
     * A confirmation handed to the database after the earlier ones. They are written in the order
     * they are handed over, so once the latest is done, all are.
     */
    void confirmed(CompletableFuture<Void> confirmation) {
        confirming = confirmation;
    }

    /** Waits (bounded) until the confirmations handed to the database so far are written or failed. */
    void awaitConfirmations(Duration wait) {
        try {
            confirming.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn(
                    "Confirming pushes failed; they are pushed again: {}",
                    e.getClass().getSimpleName());
        }
    }

    void onBinary() {
        closeByBroker(new CloseStatus(1003, "binary frames are not supported"), "binary_frame");
    }

    /** The socket is gone, whoever closed it; runs once. */
    void onClosed(CloseStatus status) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        state = State.CLOSED;
        delivering = false;
        if (closeReason == null && writeTimedOut()) {
            brokerInitiatedClose = true;
            closeReason = "slow_consumer";
        }
        outbound.stop();
        accounting.lock();
        try {
            boolean handshake = !brokerInitiatedClose && !NOT_A_PEER_CLOSE.contains(status.getCode());
            String reason = closeReason != null ? closeReason : handshake ? "client_closed" : "connection_lost";
            services.lifecycle().ended(this, status, reason, handshake ? outbound.unconfirmed() : List.of());
        } finally {
            accounting.unlock();
        }
    }

    /** Tomcat dropped the socket because a write of ours hit the slow-consumer limit. */
    private boolean writeTimedOut() {
        Duration limit = services.settings().slowConsumerTimeout();
        return outbound.writeBlockedFor().compareTo(limit.multipliedBy(9).dividedBy(10)) >= 0;
    }

    private void setStatus(Frames.Typed typed) {
        JsonNode value = typed.body().path("status");
        (value.isString() ? Status.fromWire(value.stringValue()) : Optional.<Status>empty())
                .ifPresentOrElse(
                        s -> {
                            try {
                                services.presences().setManualStatus(presence.id(), member.id(), s);
                            } catch (DataAccessException e) {
                                log.warn(
                                        "Writing a manual status failed: {}",
                                        e.getClass().getSimpleName());
                                send(new Frames.Error("internal_error", "the status was not saved, send it again"));
                            }
                        },
                        () -> send(new Frames.Error("malformed", "status must be idle, working or dnd")));
    }

    private void touchIfDue(Instant now) {
        Presence current = presence;
        if (current != null && !now.isBefore(lastTouched.plus(TOUCH_EVERY))) {
            lastTouched = now;
            try {
                services.presences().touch(current.id());
            } catch (DataAccessException e) {
                log.debug("Refreshing last_ping_at failed: {}", e.getClass().getSimpleName());
            }
        }
    }

    // ---- state changes driven by the lifecycle ----

    void slotReserved(String meshId) {
        reservedMeshSlot = meshId;
    }

    String reservedMeshSlot() {
        return reservedMeshSlot;
    }

    void opened(Member member, Presence presence) {
        this.member = member;
        this.presence = presence;
        this.status = presence.status();
        this.lastActivity = System.nanoTime();
        this.lastTouched = presence.connectedAt();
        this.state = State.OPEN;
    }

    void startDelivering() {
        delivering = state == State.OPEN && !brokerInitiatedClose;
    }

    /** Updates the in-memory status used for gating; true when the new status admits more than before. */
    boolean statusChanged(Status newStatus) {
        Status old = status;
        status = newStatus;
        return newStatus == Status.IDLE && old != Status.IDLE;
    }

    // ---- outbound ----

    /** Queues a reply frame; a peer that leaves the buffer full past the limit is a slow consumer. */
    void send(Object frame) {
        if (!outbound.offerFrame(Frames.json(frame), services.settings().slowConsumerTimeout())
                && state != State.CLOSED) {
            slowConsumer();
        }
    }

    /** Sends {@code error} and then closes, in that order, through the writer. */
    void sendThenClose(Frames.Error error, CloseStatus status, String reason) {
        send(error);
        closeByBroker(status, reason);
    }

    void closeByBroker(CloseStatus status, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        brokerInitiatedClose = true;
        if (closeReason == null) {
            closeReason = reason;
        }
        delivering = false;
        if (!outbound.requestClose(status)) {
            closeNow(status);
        }
    }

    void requestKeepalivePing(Instant now) {
        lastPingRequested = now;
        outbound.requestKeepalivePing();
    }

    /**
     * A peer that has not confirmed pushes within the slow-consumer limit is not draining them
     * (PROTOCOL A.6 confirmation needs its pong); checked by the sweeper.
     */
    boolean stalled(Duration limit) {
        return outbound.unconfirmedFor().compareTo(limit) >= 0;
    }

    void slowConsumer() {
        brokerInitiatedClose = true;
        closeReason = "slow_consumer";
        closeNow(new CloseStatus(1008, "slow_consumer"));
    }

    /** Closes without waiting for the writer; only for a writer that is stuck or gone. */
    private void closeNow(CloseStatus status) {
        delivering = false;
        try {
            socket.close(status);
        } catch (IOException | IllegalStateException e) {
            // already closing; onClosed follows either way
        }
    }

    @Override
    public void writeFailed(boolean timedOut) {
        if (timedOut) {
            slowConsumer();
        } else {
            closeNow(CloseStatus.SERVER_ERROR);
        }
    }

    @Override
    public void roomAgain() {
        Member current = member;
        if (current != null && delivering) {
            services.dispatcher().request(current.id());
        }
    }

    @Override
    public void pushWritten(Push push) {
        services.metrics().pushWritten(push.committedAt(), push.direct());
    }

    // ---- DeliveryTarget ----

    @Override
    public String presenceId() {
        return presence.id();
    }

    @Override
    public String memberId() {
        return member.id();
    }

    @Override
    public boolean admits(String priority) {
        return status.admits(priority);
    }

    @Override
    public long lastActivity() {
        return lastActivity;
    }

    @Override
    public int room() {
        return delivering ? outbound.room() : 0;
    }

    @Override
    public boolean push(Push push) {
        return delivering && outbound.offerPush(push);
    }

    @Override
    public void moreWaiting() {
        outbound.moreWaiting();
    }

    // ---- read by the registry, the sweeper and the lifecycle ----

    State state() {
        return state;
    }

    boolean delivering() {
        return delivering;
    }

    Member member() {
        return member;
    }

    Presence presence() {
        return presence;
    }

    Instant connectedAt() {
        return connectedAt;
    }

    Instant lastHeard() {
        return lastHeard;
    }

    Instant lastPingRequested() {
        return lastPingRequested;
    }

    boolean closing() {
        return brokerInitiatedClose || state == State.CLOSED;
    }

    /**
     * Tomcat limits a text frame in characters; MAX_MESSAGE_BYTES counts UTF-8 bytes, so a text of
     * multi-byte characters can pass Tomcat and still be too large.
     */
    static boolean exceedsBytes(String text, int maxBytes) {
        if (text.length() > maxBytes) {
            return true;
        }
        if ((long) text.length() * 3 <= maxBytes) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes > maxBytes;
    }
}
