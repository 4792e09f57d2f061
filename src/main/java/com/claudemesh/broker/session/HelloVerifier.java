package com.claudemesh.broker.session;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.crypto.Hex;
import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.mesh.MemberDirectory;
import com.claudemesh.broker.ops.BrokerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * The hello checks of PROTOCOL A.3, in their order, and the record of every refusal (metric, log
 * line, {@code hello_rejected} audit event). Check 1, a well-formed frame, is {@link Frames#parse}'s;
 * check 6, no replay, is decided where the session is stored ({@link SessionOpener}).
 * Passing check 2 reserves a slot of the mesh's capacity, which an accepted verdict hands to the
 * connection; a later failure gives it back.
 */
@Component
class HelloVerifier {

    static final Duration MAX_SKEW = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(HelloVerifier.class);

    sealed interface Verdict {}

    /** The session may open; {@code slot} is its place in the mesh's capacity until it ends. */
    record Accepted(Frames.Hello hello, Member member, SessionRegistry.Slot slot) implements Verdict {}

    /** The members could not be read: nothing was decided and no slot is kept. */
    record Unchecked(DataAccessException cause) implements Verdict {}

    /** {@code hello} is null when the frame was malformed; {@code close} names the refusal's code. */
    record Rejected(BrokerClose close, String message, Frames.Hello hello) implements Verdict {

        String code() {
            return close.reason();
        }
    }

    private final SessionRegistry registry;
    private final SessionSettings settings;
    private final Ed25519 ed25519;
    private final MemberDirectory members;
    private final AuditLog audit;
    private final BrokerMetrics metrics;
    private final Clock clock;

    HelloVerifier(
            SessionRegistry registry,
            SessionSettings settings,
            Ed25519 ed25519,
            MemberDirectory members,
            AuditLog audit,
            BrokerMetrics metrics,
            Clock clock) {
        this.registry = registry;
        this.settings = settings;
        this.ed25519 = ed25519;
        this.members = members;
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Checks 2 to 5. */
    Verdict verify(Frames.Hello hello) {
        Optional<SessionRegistry.Slot> slot = registry.reserveSlot(hello.meshId(), settings.maxConnectionsPerMesh());
        if (slot.isEmpty()) {
            return rejected(new Rejected(BrokerClose.CAPACITY, "this mesh has reached its connection limit", hello));
        }
        Verdict verdict;
        try {
            verdict = authenticate(hello, slot.get());
        } catch (DataAccessException e) {
            slot.get().release();
            log.warn("Checking a hello failed: {}", e.getClass().getSimpleName());
            return new Unchecked(e);
        } catch (RuntimeException e) {
            slot.get().release();
            throw e;
        }
        if (verdict instanceof Rejected rejected) {
            slot.get().release();
            return rejected(rejected);
        }
        return verdict;
    }

    /** Check 1 failed: nothing of the frame can be trusted, not even its mesh id. */
    Rejected malformed() {
        return rejected(new Rejected(BrokerClose.MALFORMED, Frames.HELLO_FIELDS, null));
    }

    /** Check 6: this hello was accepted before, here or by another broker process. */
    Rejected replayed(Frames.Hello hello) {
        return rejected(new Rejected(BrokerClose.REPLAYED, "this hello was already used; sign a new one", hello));
    }

    /**
     * The session could not be checked or stored: a database that does not answer is A.3's 1013
     * (the client retries); anything else is the broker's fault, 1011. Neither is audited: the
     * hello was not judged.
     */
    Rejected notOpened(RuntimeException failure) {
        if (GroupCommit.unavailable(failure)) {
            metrics.connectionRejected(BrokerClose.TRY_AGAIN_LATER.reason());
            return tryAgainLater();
        }
        return new Rejected(BrokerClose.INTERNAL_ERROR, "the broker could not open the session", null);
    }

    /** The broker cannot take this hello now (A.3's 1013); the client retries later. */
    Rejected tryAgainLater() {
        return new Rejected(BrokerClose.TRY_AGAIN_LATER, "the broker cannot open a session now, retry later", null);
    }

    /** No hello within the limit (A.3). */
    Rejected timedOut() {
        return rejected(new Rejected(BrokerClose.HELLO_TIMEOUT, "no hello within 10 s", null));
    }

    private Verdict authenticate(Frames.Hello hello, SessionRegistry.Slot slot) {
        long skew = Math.abs(clock.millis() - hello.timestamp());
        if (skew > MAX_SKEW.toMillis()) {
            return new Rejected(
                    BrokerClose.TIMESTAMP_SKEW, "timestamp is more than 60 s away from the broker's clock", hello);
        }
        if (!ed25519.verify(hello.canonical(), hello.signature(), hello.pubkey())) {
            return new Rejected(BrokerClose.BAD_SIGNATURE, "signature does not verify", hello);
        }
        Optional<Member> member = members.findActive(hello.meshId(), Hex.normalize(hello.pubkey()));
        if (member.isEmpty() || !member.get().id().equals(hello.memberId())) {
            return new Rejected(BrokerClose.UNAUTHORIZED, "not a member of this mesh", hello);
        }
        return new Accepted(hello, member.get(), slot);
    }

    private Rejected rejected(Rejected rejected) {
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
        return rejected;
    }
}
