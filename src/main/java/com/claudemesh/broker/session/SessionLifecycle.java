package com.claudemesh.broker.session;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.crypto.Hex;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.mesh.MemberDirectory;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.presence.Presence;
import com.claudemesh.broker.routing.Dispatcher;
import com.claudemesh.broker.routing.Push;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * Opening and ending sessions (PROTOCOL A.3, A.6, A.13): hello verdicts, presence rows, the registry,
 * metrics and audit events. Every close path of a session that passed hello ends in {@link #ended},
 * which confirms what a close handshake proved read, releases the rest and closes the presence.
 */
@Component
class SessionLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SessionLifecycle.class);
    private static final Duration CONFIRMATIONS_WAIT = Duration.ofSeconds(5);

    private final HelloVerifier verifier;
    private final SessionRegistry registry;
    private final Dispatcher dispatcher;
    private final BrokerMetrics metrics;
    private final AuditLog audit;
    private final MemberDirectory members;
    private final SessionOpener opener;
    private final SessionCloser closer;

    SessionLifecycle(
            HelloVerifier verifier,
            SessionRegistry registry,
            Dispatcher dispatcher,
            BrokerMetrics metrics,
            AuditLog audit,
            MemberDirectory members,
            SessionOpener opener,
            SessionCloser closer) {
        this.verifier = verifier;
        this.registry = registry;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.audit = audit;
        this.members = members;
        this.opener = opener;
        this.closer = closer;
    }

    void hello(Connection connection, Frames.Hello hello) {
        if (!registry.accepting()) {
            connection.closeByBroker(new CloseStatus(1001, "shutting down"), "shutdown");
            return;
        }
        HelloVerifier.Verdict verdict;
        try {
            verdict = verifier.verify(connection, hello);
        } catch (DataAccessException e) {
            log.warn("Checking a hello failed: {}", e.getClass().getSimpleName());
            unavailable(connection);
            return;
        }
        switch (verdict) {
            case HelloVerifier.Rejected rejected -> reject(connection, rejected);
            case HelloVerifier.Accepted accepted -> open(connection, accepted.hello(), accepted.member());
        }
    }

    /** A.3 check 1 failed: nothing of the frame can be trusted, not even its mesh id. */
    void malformedHello(Connection connection) {
        reject(connection, new HelloVerifier.Rejected("malformed", Frames.HELLO_FIELDS, null));
    }

    void helloTimedOut(Connection connection) {
        metrics.connectionRejected("hello_timeout");
        connection.sendThenClose(
                new Frames.Error("hello_timeout", "no hello within 10 s"),
                new CloseStatus(1008, "hello_timeout"),
                "hello_timeout");
    }

    /** The database does not answer: the peer may retry; its capacity slot is given back. */
    private void unavailable(Connection connection) {
        if (connection.reservedMeshSlot() != null) {
            registry.releaseSlot(connection.reservedMeshSlot());
            connection.slotReserved(null);
        }
        connection.sendThenClose(
                new Frames.Error("internal_error", "the broker cannot open a session now, retry later"),
                CloseStatus.SERVER_ERROR,
                "internal_error");
    }

    private void reject(Connection connection, HelloVerifier.Rejected rejected) {
        metrics.connectionRejected(rejected.code());
        Frames.Hello hello = rejected.hello();
        log.atInfo()
                .setMessage("Hello rejected")
                .addKeyValue("code", rejected.code())
                .addKeyValue("mesh_id", hello == null ? null : hello.meshId())
                .log();
        if (hello != null) {
            try {
                if (members.meshExists(hello.meshId())) {
                    audit.record(
                            hello.meshId(),
                            "hello_rejected",
                            null,
                            null,
                            Map.of(
                                    "code",
                                    rejected.code(),
                                    "pubkey_prefix",
                                    Hex.normalize(hello.pubkey()).substring(0, 12)));
                }
            } catch (DataAccessException e) {
                log.warn("Audit of a rejected hello failed: {}", e.getClass().getSimpleName());
            }
        }
        connection.sendThenClose(
                new Frames.Error(rejected.code(), rejected.message()),
                new CloseStatus(1008, rejected.code()),
                rejected.code());
    }

    private void open(Connection connection, Frames.Hello hello, Member member) {
        if (!opener.open(connection, hello, member)) {
            unavailable(connection);
        }
    }

    /**
     * The socket is closed. {@code readByPeer} are pushes a completed close handshake proved read;
     * everything else this session claimed and did not get confirmed goes back to the queue.
     */
    void ended(Connection connection, CloseStatus status, String reason, List<Push> readByPeer) {
        registry.detach(connection);
        Presence presence = connection.presence();
        if (presence == null) {
            if (connection.reservedMeshSlot() != null) {
                registry.releaseSlot(connection.reservedMeshSlot());
            }
            return;
        }
        registry.unregister(connection);
        Member member = connection.member();
        connection.confirmed(dispatcher.confirm(
                member.id(), readByPeer.stream().map(Push::messageId).toList()));
        // A release that overtook a confirmation would push a read delivery again.
        connection.awaitConfirmations(CONFIRMATIONS_WAIT);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("presence_id", presence.id());
        metadata.put("reason", reason);
        metadata.put("close_code", status.getCode());
        // Claims released, presence closed and the audit event, together with other sessions' ends.
        closer.ended(new SessionCloser.Ended(presence.id(), member.id(), member.meshId(), metadata));
        metrics.connectionClosed();
        log.atInfo()
                .setMessage("Session closed")
                .addKeyValue("mesh_id", member.meshId())
                .addKeyValue("presence_id", presence.id())
                .addKeyValue("reason", reason)
                .addKeyValue("close_code", status.getCode())
                .log();
    }
}
