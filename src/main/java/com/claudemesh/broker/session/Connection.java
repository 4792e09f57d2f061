package com.claudemesh.broker.session;

import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.routing.Push;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * The state and the broker's reason for closing are one {@link Phase}. Inbound frames arrive one at
 * a time on the socket's reader; everything outbound goes through its
 * {@link Outbound} writer. Collaborators decide and store; the connection applies their results.
 * Routing sees it as its {@link OpenSession}, which takes pushes only while {@code OPEN}, i.e. after
 * the {@code hello_ack} is queued.
 */
final class Connection implements Outbound.Events {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final Socket socket;
    private final ConnectionServices services;
    private final String clientAddress;
    private final ConnectionLimits.Ticket ticket;
    private final Outbound outbound;
    private final InboundFrames inbound;
    private final SessionCommands commands;
    private final SessionTimers timers;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.AWAITING_HELLO);
    /** Held by the hello, by confirmations and by the end: a close waits until the session is whole. */
    private final ReentrantLock transitions = new ReentrantLock();

    private volatile SessionRegistry.Slot slot;
    /** Set once the presence is stored; who routing delivers to. */
    private volatile OpenSession session;

    private volatile SessionConfirmations confirmations;

    Connection(Socket socket, ConnectionServices services, String clientAddress, ConnectionLimits.Ticket ticket) {
        this.socket = socket;
        this.services = services;
        this.clientAddress = clientAddress;
        this.ticket = ticket;
        this.outbound = services.outbound(socket, this, this::presenceIdOrNull);
        this.inbound = services.inboundFrames();
        this.commands = new SessionCommands(services.sends(), services.statuses(), outbound::addReply);
        this.timers = new SessionTimers(
                services.clock().instant(), services.settings().slowConsumerTimeout());
    }

    // ---- inbound ----

    void onTextPart(String part, boolean last) {
        Phase current = phase.get();
        if (current.ending()) {
            return;
        }
        boolean open = current == Phase.OPEN;
        heard();
        switch (inbound.take(part, last, open)) {
            case InboundFrames.More more -> {}
            case InboundFrames.RateLimited limited -> {
                services.metrics().frameRateLimited();
                send(limited.reply());
            }
            case InboundFrames.Flooding flooding -> {
                services.metrics().frameRateLimited();
                services.metrics().connectionRejected(BrokerClose.FLOODING.reason());
                closeByBroker(BrokerClose.FLOODING);
            }
            case InboundFrames.TooBig tooBig -> closeByBroker(BrokerClose.TOO_BIG);
            case InboundFrames.Frame frame when open -> command(frame);
            case InboundFrames.Frame frame -> beforeHello(frame.frame());
        }
    }

    private void command(InboundFrames.Frame frame) {
        if (!commands.handle(session, frame.frame(), frame.oversized(), this::send)) {
            log.warn("Sends of a session waited too long for the database; closing it");
            closeByBroker(BrokerClose.INTERNAL_ERROR);
        }
    }

    private void beforeHello(Frames.Inbound frame) {
        boolean aHello = frame instanceof Frames.Hello || frame instanceof Frames.BadHello;
        if (aHello && !services.limits().helloAllowed(clientAddress)) {
            refuse(services.verifier().tryAgainLater());
            return;
        }
        switch (frame) {
            case Frames.Hello hello -> hello(hello);
            case Frames.BadHello bad -> refuse(services.verifier().malformed());
            default -> send(new Frames.Error("no_hello", "must send hello first"));
        }
    }

    /** A.3: the checks, then the presence; the reader waits for both, so no frame overtakes the hello_ack. */
    private void hello(Frames.Hello hello) {
        transitions.lock();
        try {
            if (!services.registry().accepting()) {
                closeByBroker(BrokerClose.SHUTDOWN);
                return;
            }
            switch (services.verifier().verify(hello)) {
                case HelloVerifier.Rejected rejected -> refuse(rejected);
                case HelloVerifier.Unchecked unchecked -> notOpened(unchecked.cause());
                case HelloVerifier.Accepted accepted -> open(accepted);
            }
        } finally {
            transitions.unlock();
        }
    }

    private void open(HelloVerifier.Accepted accepted) {
        slot = accepted.slot();
        if (!phase.compareAndSet(Phase.AWAITING_HELLO, Phase.OPENING)) {
            return;
        }
        switch (services.opener().open(accepted.hello(), accepted.member()).join()) {
            case SessionOpener.Replayed replayed -> {
                releaseSlot();
                refuse(services.verifier().replayed(accepted.hello()));
            }
            case SessionOpener.NotStored notStored -> notOpened(notStored.cause());
            case SessionOpener.Opened opened -> opened(accepted.member(), opened);
        }
    }

    private void opened(Member member, SessionOpener.Opened opened) {
        try {
            confirmations = new SessionConfirmations(services.dispatcher(), member.id());
            session = new OpenSession(member, opened.presence(), outbound, this::delivering);
            if (phase.compareAndSet(Phase.OPENING, Phase.OPEN)) {
                ticket.authenticated();
                services.registry().register(this);
                send(new Frames.HelloAck(opened.presence().id(), member.displayName(), opened.hookToken()));
            }
        } finally {
            // The opener asks for queued deliveries once every session of the batch takes pushes.
            opened.started().complete(null);
        }
    }

    /** The session could not be checked or stored; its capacity slot is given back. */
    private void notOpened(RuntimeException failure) {
        releaseSlot();
        refuse(services.verifier().notOpened(failure));
    }

    /** A.3's refusal: the error frame, then the close, both through the writer so the order holds. */
    private void refuse(HelloVerifier.Rejected rejected) {
        send(new Frames.Error(rejected.code(), rejected.message()));
        closeByBroker(rejected.close());
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
        closeByBroker(BrokerClose.BINARY_FRAME);
    }

    /** The timers of A.1/A.3 ({@link SessionTimers}); from the sweeper, once a second. */
    void checkTimers(Instant now) {
        switch (timers.due(phase.get().state(), now, outbound.unconfirmedFor())) {
            case HELLO_TIMEOUT -> refuse(services.verifier().timedOut());
            case SLOW_CONSUMER -> slowConsumer();
            case IDLE_TIMEOUT -> closeByBroker(BrokerClose.IDLE_TIMEOUT);
            case PING -> outbound.requestKeepalivePing();
            case NOTHING -> {}
        }
    }

    /** The socket is gone, whoever closed it; runs once. */
    void onClosed(CloseStatus closeStatus) {
        transitions.lock();
        try {
            Phase was = phase.getAndSet(Phase.CLOSED);
            if (was == Phase.CLOSED) {
                return;
            }
            BrokerClose byBroker = was.closedBecause();
            if (byBroker == null && outbound.writeTimedOut(services.settings().slowConsumerTimeout())) {
                byBroker = BrokerClose.SLOW_CONSUMER;
                services.metrics().connectionRejected(byBroker.reason());
            }
            outbound.stop();
            ticket.release();
            services.registry().detach(this);
            if (session == null) {
                releaseSlot();
                return;
            }
            services.registry().unregister(this);
            EndOfSession end = EndOfSession.of(byBroker, closeStatus.getCode());
            if (end.handshake()) {
                confirmations.confirm(outbound.confirmedByHandshake());
            }
            releaseSlot();
            services.closer().ended(session, end.reason(), closeStatus.getCode(), confirmations.settled());
        } finally {
            transitions.unlock();
        }
    }

    // ---- outbound ----

    /** Queues a reply frame; a peer that leaves the buffer full past the limit is a slow consumer. */
    void send(Object frame) {
        if (!outbound.offerFrame(Frames.json(frame), services.settings().slowConsumerTimeout())
                && phase.get() != Phase.CLOSED) {
            slowConsumer();
        }
    }

    /** Closes after what is queued has been written (and, for pushes, confirmed or given up on). */
    void closeByBroker(BrokerClose why) {
        if (toClosing(why) && !outbound.requestClose(why.status())) {
            closeNow(why);
        }
    }

    /** Closes at once: a peer that does not drain may never take the close frame from the writer. */
    void slowConsumer() {
        if (toClosing(BrokerClose.SLOW_CONSUMER)) {
            services.metrics().connectionRejected(BrokerClose.SLOW_CONSUMER.reason());
        }
        closeNow(BrokerClose.SLOW_CONSUMER);
    }

    @Override
    public void writeFailed(boolean timedOut) {
        if (timedOut) {
            slowConsumer();
        } else {
            toClosing(BrokerClose.WRITE_FAILED);
            closeNow(BrokerClose.WRITE_FAILED);
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
        return phase.get() == Phase.OPEN;
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
    private boolean toClosing(BrokerClose why) {
        for (Phase now = phase.get(); !now.ending(); now = phase.get()) {
            if (phase.compareAndSet(now, Phase.closing(why))) {
                return true;
            }
        }
        return false;
    }

    private String presenceIdOrNull() {
        OpenSession current = session;
        return current == null ? null : current.presenceId();
    }

    private void releaseSlot() {
        SessionRegistry.Slot held = slot;
        if (held != null) {
            held.release();
        }
    }

    /** Closes without waiting for the writer; only for a writer that is stuck or gone. */
    private void closeNow(BrokerClose why) {
        socket.abort(why.status());
    }
}
