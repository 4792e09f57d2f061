package com.claudemesh.broker.routing;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.crypto.Hex;
import com.claudemesh.broker.db.TimeOrderedIds;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.mesh.MemberDirectory;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.protocol.Priority;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

/**
 * Turns a validated send into a stored envelope with its deliveries (PROTOCOL A.4, A.6): resolves
 * the target to recipient members from memory, refuses unknown targets, and hands the envelope to
 * the group commit ({@link EnvelopeWriter}), which stores it with its {@code message_routed} audit
 * event and pushes it.
 */
@Service
public class Router {

    public static final String BROADCAST = "*";

    private final MemberDirectory members;
    private final EnvelopeWriter writer;
    private final Clock clock;
    private final BrokerProperties properties;
    private final BrokerMetrics metrics;

    Router(
            MemberDirectory members,
            EnvelopeWriter writer,
            Clock clock,
            BrokerProperties properties,
            BrokerMetrics metrics) {
        this.members = members;
        this.writer = writer;
        this.clock = clock;
        this.properties = properties;
        this.metrics = metrics;
    }

    /**
     * Queues an envelope from {@code sender}; nonce and ciphertext are opaque (and base64, A.4).
     * Completes only after the envelope and its deliveries are committed, or exceptionally when
     * nothing was stored — also when the recipients could not be read (a {@link
     * DataAccessException}: the members are not in memory and the database does not answer); a
     * refusal completes at once.
     */
    public CompletableFuture<RouteResult> route(
            Member sender, String targetSpec, Priority priority, String nonce, String ciphertext) {
        try {
            return store(sender, targetSpec, priority, nonce, ciphertext);
        } catch (DataAccessException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<RouteResult> store(
            Member sender, String targetSpec, Priority priority, String nonce, String ciphertext) {
        long handedOver = System.nanoTime();
        boolean broadcast = BROADCAST.equals(targetSpec);
        List<Member> recipients;
        String storedTarget;
        if (broadcast) {
            recipients = members.activeMembers(sender.meshId()).stream()
                    .filter(m -> !m.id().equals(sender.id()))
                    .toList();
            storedTarget = BROADCAST;
        } else if (Hex.isHex(targetSpec, 64)) {
            storedTarget = Hex.normalize(targetSpec);
            recipients =
                    members.findActive(sender.meshId(), storedTarget).stream().toList();
            if (recipients.isEmpty()) {
                return refused("no live member of this mesh has that public key");
            }
        } else {
            return refused("target must be a member public key or *");
        }
        // Millisecond precision: the push shows createdAt with milliseconds (A.2), the row must agree.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String messageId = TimeOrderedIds.next(now);
        DeliveryStore.NewEnvelope envelope = new DeliveryStore.NewEnvelope(
                messageId,
                sender.meshId(),
                sender.id(),
                storedTarget,
                priority,
                nonce,
                ciphertext,
                now,
                now.plus(properties.messageTtl()));
        EnvelopeWriter.Submission submission = new EnvelopeWriter.Submission(
                envelope,
                Hex.normalize(sender.pubkey()),
                recipients.stream().map(Member::id).toList(),
                broadcast,
                new CompletableFuture<>());
        return writer.submit(submission).thenApply(committed -> {
            metrics.sendAcked(System.nanoTime() - handedOver);
            return new RouteResult.Queued(messageId);
        });
    }

    private static CompletableFuture<RouteResult> refused(String message) {
        return CompletableFuture.completedFuture(new RouteResult.Refused("unknown_target", message));
    }
}
