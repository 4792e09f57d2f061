package com.claudemesh.broker.session;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.crypto.Hex;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.mesh.MemberDirectory;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The five hello checks of PROTOCOL A.3, in their order. Passing check 2 reserves a slot of the
 * mesh's capacity for this connection; a later failure gives it back.
 */
@Component
class HelloVerifier {

    static final Duration MAX_SKEW = Duration.ofSeconds(60);

    sealed interface Verdict {}

    record Accepted(Frames.Hello hello, Member member) implements Verdict {}

    /** {@code hello} is null when the frame was malformed. */
    record Rejected(String code, String message, Frames.Hello hello) implements Verdict {}

    private final SessionRegistry registry;
    private final SessionSettings settings;
    private final Ed25519 ed25519;
    private final MemberDirectory members;
    private final Clock clock;

    HelloVerifier(
            SessionRegistry registry, SessionSettings settings, Ed25519 ed25519, MemberDirectory members, Clock clock) {
        this.registry = registry;
        this.settings = settings;
        this.ed25519 = ed25519;
        this.members = members;
        this.clock = clock;
    }

    /** Checks 2 to 5; check 1, a well-formed frame, is {@link Frames#parse}'s. */
    Verdict verify(Connection connection, Frames.Hello hello) {
        if (!registry.reserveSlot(hello.meshId(), settings.maxConnectionsPerMesh())) {
            return new Rejected("capacity", "this mesh has reached its connection limit", hello);
        }
        connection.slotReserved(hello.meshId());
        Verdict verdict = authenticate(hello);
        if (verdict instanceof Rejected) {
            connection.slotReserved(null);
            registry.releaseSlot(hello.meshId());
        }
        return verdict;
    }

    private Verdict authenticate(Frames.Hello hello) {
        long skew = Math.abs(clock.millis() - hello.timestamp());
        if (skew > MAX_SKEW.toMillis()) {
            return new Rejected("timestamp_skew", "timestamp is more than 60 s away from the broker's clock", hello);
        }
        if (!ed25519.verify(hello.canonical(), hello.signature(), hello.pubkey())) {
            return new Rejected("bad_signature", "signature does not verify", hello);
        }
        Optional<Member> member = members.findActive(hello.meshId(), Hex.normalize(hello.pubkey()));
        if (member.isEmpty() || !member.get().id().equals(hello.memberId())) {
            return new Rejected("unauthorized", "not a member of this mesh", hello);
        }
        return new Accepted(hello, member.get());
    }
}
