package com.claudemesh.broker.session;

import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.routing.Push;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.web.socket.CloseStatus;

/**
 * One WebSocket connection's state machine (PROTOCOL A.3–A.8); every transition is made here:
 *
 * <pre>
 * AWAITING_HELLO ──hello accepted──▶ OPENING ──presence stored──▶ OPEN
 *       │                               │                         │
 *       └──refused, timed out───────────┴──store failed / any ────┴──▶ CLOSING (the broker closes)
 *   any state ──socket gone──▶ CLOSED (confirm what a close handshake proved read, hand the end over)
 * </pre>
 *
 * Inbound frames arrive one at a time on the socket's reader; everything outbound goes through its
 * {@link Outbound} writer. Collaborators decide and store; the connection applies their results.
 * Routing sees it as its {@link OpenSession}, which takes pushes only while {@code OPEN}, i.e. after
 * the {@code hello_ack} is queued.
 */
final class Connection implements Outbound.Events {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    enum State {
        AWAITING_HELLO,
        OPENING,
        OPEN,
        CLOSING,
        CLOSED
    }

    private final Socket socket;
    private final ConnectionServices services;
    private final Outbound outbound;
    private final MessageAssembler assembler;
    private final SessionTimers timers;
    private final AtomicReference<State> state = new AtomicReference<>(State.AWAITING_HELLO);
    /** Held by the hello, by confirmations and by the end: a close waits until the session is whole. */
    private final ReentrantLock transitions = new ReentrantLock();

    private final SendPipeline sends;
    private final String clientAddress;
    private final ConnectionLimits.Ticket ticket;
    private final FrameGate frames;

    private volatile SessionConfirmations confirmations;

    private volatile SessionRegistry.Slot slot;
    /** Set once the presence is stored; who routing delivers to. */
    private volatile OpenSession session;

    private volatile String closeReason;

    Connection(Socket socket, ConnectionServices services, String clientAddress, ConnectionLimits.Ticket ticket) {
        this.socket = socket;
        this.services = services;
        this.clientAddress = clientAddress;
        this.ticket = ticket;
        this.frames =
                new FrameGate(services.limits().frames(), services.limits().maxFramesPerSecond());
        this.timers = new SessionTimers(
                services.clock().instant(), services.settings().slowConsumerTimeout());
        this.assembler = new MessageAssembler(services.settings().maxMessageBytes());
        this.sends = new SendPipeline(services.sends());
        this.outbound = new Outbound(
                socket,
                services.settings().outboundQueueFrames(),
                SessionSettings.CLOSE_CONFIRM_WAIT,
                this,
                services.writerReports().of(this::presenceIdOrNull));
    }

    // ---- inbound ----

    void onTextPart(String part, boolean last) {
        switch (assembler.add(part, last)) {
            case MessageAssembler.Partial partial -> {}
            case MessageAssembler.TooBig tooBig -> tooBig();
            case MessageAssembler.Whole whole -> onMessage(whole.text(), whole.oversized());
        }
    }

    private void onMessage(String text, boolean oversized) {
        State now = state.get();
        if (now == State.CLOSED || now == State.CLOSING) {
            return;
        }
        heard();
        Frames.Inbound frame = Frames.parse(text);
        switch (frames.take(frame)) {
            case FrameGate.Admitted admitted -> {}
            case FrameGate.Refused refused -> {
                services.metrics().frameRateLimited();
                send(refused.reply());
                return;
            }
            case FrameGate.Flooding flooding -> {
                services.metrics().frameRateLimited();
                services.metrics().connectionRejected("flooding");
                closeByBroker(new CloseStatus(1008, "flooding"), "flooding");
                return;
            }
        }
        boolean aSend = frame instanceof Frames.Send || frame instanceof Frames.BadSend;
        if (oversized && (now != State.OPEN || !aSend)) {
            // A session's send gets its too_large refusal (A.4) with its id; anything else is over A.1's limit.
            tooBig();
            return;
        }
        if (now != State.OPEN) {
            switch (frame) {
                case Frames.Hello hello when !services.limits().helloAllowed(clientAddress) -> tryAgainLater();
                case Frames.BadHello bad when !services.limits().helloAllowed(clientAddress) -> tryAgainLater();
                case Frames.Hello hello -> hello(hello);
                case Frames.BadHello bad -> refused(services.verifier().malformed());
                default -> send(new Frames.Error("no_hello", "must send hello first"));
            }
            return;
        }
        session.active();
        switch (frame) {
            case Frames.Send send -> send(send, oversized);
            case Frames.BadSend bad -> send(services.sends().refused(bad));
            case Frames.SetStatus set ->
                services.statuses()
                        .set(session.presence(), session.member(), set.status())
                        .ifPresent(this::send);
            case Frames.Hello hello ->
                send(new Frames.Error("already_authenticated", "this session already sent hello"));
            case Frames.BadHello bad ->
                send(new Frames.Error("already_authenticated", "this session already sent hello"));
            case Frames.Malformed malformed -> send(new Frames.Error("malformed", malformed.message()));
            case Frames.UnknownType unknown -> send(new Frames.Error("unknown_type", "unknown message type"));
        }
    }

    /** A.3: the checks, then the presence; the reader waits for both, so no frame overtakes the hello_ack. */
    private void hello(Frames.Hello hello) {
        transitions.lock();
        try {
            if (!services.registry().accepting()) {
                closeByBroker(new CloseStatus(1001, "shutting down"), "shutdown");
                return;
            }
            HelloVerifier.Verdict verdict;
            try {
                verdict = services.verifier().verify(hello);
            } catch (DataAccessException e) {
                log.warn("Checking a hello failed: {}", e.getClass().getSimpleName());
                notOpened(e);
                return;
            }
            switch (verdict) {
                case HelloVerifier.Rejected rejected -> refused(rejected);
                case HelloVerifier.Accepted accepted -> open(accepted);
            }
        } finally {
            transitions.unlock();
        }
    }

    private void open(HelloVerifier.Accepted accepted) {
        slot = accepted.slot();
        if (!state.compareAndSet(State.AWAITING_HELLO, State.OPENING)) {
            return;
        }
        SessionOpener.Outcome outcome;
        try {
            outcome =
                    services.opener().open(accepted.hello(), accepted.member()).join();
        } catch (CompletionException e) {
            notOpened(e.getCause());
            return;
        }
        switch (outcome) {
            case SessionOpener.Replayed replayed -> {
                releaseSlot();
                refused(services.verifier().replayed(accepted.hello()));
            }
            case SessionOpener.Opened opened -> opened(accepted.member(), opened);
        }
    }

    private void opened(Member member, SessionOpener.Opened opened) {
        try {
            confirmations = new SessionConfirmations(services.dispatcher(), member.id());
            session = new OpenSession(member, opened.presence(), outbound, this::delivering);
            if (state.compareAndSet(State.OPENING, State.OPEN)) {
                ticket.authenticated();
                services.registry().register(this);
                send(new Frames.HelloAck(opened.presence().id(), member.displayName(), opened.hookToken()));
            }
        } finally {
            // The opener asks for queued deliveries once every session of the batch takes pushes.
            opened.started().complete(null);
        }
    }

    private void refused(HelloVerifier.Rejected rejected) {
        refuse(rejected.code(), rejected.message(), new CloseStatus(1008, rejected.code()));
    }

    /**
     * The session could not be checked or stored; its capacity slot is given back. A database that
     * does not answer is A.3's 1013 (the client retries); anything else is the broker's fault, 1011.
     */
    private void notOpened(Throwable failure) {
        releaseSlot();
        if (GroupCommit.unavailable(failure)) {
            services.metrics().connectionRejected("try_again_later");
            tryAgainLater();
        } else {
            refuse("internal_error", "the broker could not open the session", CloseStatus.SERVER_ERROR);
        }
    }

    private void tryAgainLater() {
        refuse(
                "try_again_later",
                "the broker cannot open a session now, retry later",
                new CloseStatus(1013, "try_again_later"));
    }

    /** A.3's refusal: the error frame, then the close, both through the writer so the order holds. */
    private void refuse(String code, String message, CloseStatus closeStatus) {
        send(new Frames.Error(code, message));
        closeByBroker(closeStatus, code);
    }

    /** The ack (or error) is queued once the envelope is committed; the reader goes on meanwhile. */
    private void send(Frames.Send send, boolean oversized) {
        if (!sends.submit(session.member(), send, oversized, outbound::addReply)) {
            log.warn("Sends of a session waited too long for the database; closing it");
            closeByBroker(CloseStatus.SERVER_ERROR, "internal_error");
        }
    }

    void onPong(ByteBuffer payload) {
        heard();
        transitions.lock();
        try {
            List<Push> confirmed = outbound.pongReceived(payload);
            if (!confirmed.isEmpty()) {
                confirmations.confirm(confirmed);
            }
        } finally {
            transitions.unlock();
        }
    }

    void onBinary() {
        closeByBroker(new CloseStatus(1003, "binary frames are not supported"), "binary_frame");
    }

    /** The timers of A.1/A.3 ({@link SessionTimers}); from the sweeper, once a second. */
    void checkTimers(Instant now) {
        switch (timers.due(state.get(), now, outbound.unconfirmedFor())) {
            case HELLO_TIMEOUT -> refused(services.verifier().timedOut());
            case SLOW_CONSUMER -> slowConsumer();
            case IDLE_TIMEOUT -> closeByBroker(new CloseStatus(1008, "idle_timeout"), "idle_timeout");
            case PING -> outbound.requestKeepalivePing();
            case NOTHING -> {}
        }
    }

    /** The socket is gone, whoever closed it; runs once. */
    void onClosed(CloseStatus closeStatus) {
        transitions.lock();
        try {
            State was = state.getAndSet(State.CLOSED);
            if (was == State.CLOSED) {
                return;
            }
            boolean byBroker = was == State.CLOSING;
            if (!byBroker && outbound.writeTimedOut(services.settings().slowConsumerTimeout())) {
                byBroker = true;
                closeReason = "slow_consumer";
                services.metrics().connectionRejected("slow_consumer");
            }
            outbound.stop();
            ticket.release();
            services.registry().detach(this);
            if (session == null) {
                releaseSlot();
                return;
            }
            services.registry().unregister(this);
            EndOfSession end = EndOfSession.of(byBroker ? closeReason : null, closeStatus.getCode());
            if (end.handshake()) {
                confirmations.confirm(outbound.confirmedByHandshake());
            }
            releaseSlot();
            services.closer()
                    .ended(
                            session.presence(),
                            session.member(),
                            end.reason(),
                            closeStatus.getCode(),
                            confirmations.settled());
        } finally {
            transitions.unlock();
        }
    }

    // ---- outbound ----

    /** Queues a reply frame; a peer that leaves the buffer full past the limit is a slow consumer. */
    void send(Object frame) {
        if (!outbound.offerFrame(Frames.json(frame), services.settings().slowConsumerTimeout())
                && state.get() != State.CLOSED) {
            slowConsumer();
        }
    }

    /** Closes after what is queued has been written (and, for pushes, confirmed or given up on). */
    void closeByBroker(CloseStatus closeStatus, String reason) {
        if (toClosing(reason) && !outbound.requestClose(closeStatus)) {
            closeNow(closeStatus);
        }
    }

    /** Closes at once: a peer that does not drain may never take the close frame from the writer. */
    void slowConsumer() {
        if (toClosing("slow_consumer")) {
            services.metrics().connectionRejected("slow_consumer");
        }
        closeNow(new CloseStatus(1008, "slow_consumer"));
    }

    @Override
    public void writeFailed(Exception failure, boolean timedOut) {
        if (!timedOut && !socket.isOpen()) {
            // The peer's close (or the network's end) reached Tomcat first and the write found the
            // socket closing: not the broker's close. Its onClosed follows and judges by the close
            // code — a completed handshake confirms what was written, as A.6 says.
            return;
        }
        services.writerReports().writeFailed(presenceIdOrNull(), failure, timedOut);
        if (timedOut) {
            slowConsumer();
        } else {
            toClosing("write_failed");
            closeNow(CloseStatus.SERVER_ERROR);
        }
    }

    @Override
    public void roomAgain() {
        if (delivering()) {
            services.dispatcher().request(session.memberId());
        }
    }

    // ---- read by the registry and the sweeper ----

    boolean delivering() {
        return state.get() == State.OPEN;
    }

    /** Null until the presence is stored. */
    OpenSession session() {
        return session;
    }

    // ---- helpers ----

    private void heard() {
        timers.heard(services.clock().instant());
        OpenSession current = session;
        if (current != null) {
            services.presences().touch(current.presenceId());
        }
    }

    /** The broker ends the session: true for the one call that moved it to CLOSING. */
    private boolean toClosing(String reason) {
        for (State now = state.get(); now != State.CLOSING && now != State.CLOSED; now = state.get()) {
            if (state.compareAndSet(now, State.CLOSING)) {
                closeReason = reason;
                return true;
            }
        }
        return false;
    }

    private String presenceIdOrNull() {
        OpenSession current = session;
        return current == null ? null : current.presenceId();
    }

    private void tooBig() {
        closeByBroker(new CloseStatus(1009, "message too big"), "too_big");
    }

    private void releaseSlot() {
        SessionRegistry.Slot held = slot;
        if (held != null) {
            held.release();
        }
    }

    /** Closes without waiting for the writer; only for a writer that is stuck or gone. */
    private void closeNow(CloseStatus closeStatus) {
        socket.abort(closeStatus);
    }
}
