package com.claudemesh.broker.routing;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.crypto.Hex;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.mesh.MemberDirectory;
import com.claudemesh.broker.ops.BrokerMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns a validated send into a stored envelope with its deliveries (PROTOCOL A.4, A.6): resolves
 * the target to recipient members, refuses unknown targets, commits envelope, deliveries and the
 * {@code message_routed} audit event together, then asks the dispatcher to push at once.
 */
@Service
public class Router {

    public static final String BROADCAST = "*";

    private final MemberDirectory members;
    private final DeliveryStore store;
    private final Dispatcher dispatcher;
    private final AuditLog audit;
    private final BrokerMetrics metrics;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final BrokerProperties properties;
    private final LiveSessions sessions;
    private final DeliveryWakeUps wakeUps;

    Router(
            MemberDirectory members,
            DeliveryStore store,
            Dispatcher dispatcher,
            AuditLog audit,
            BrokerMetrics metrics,
            TransactionTemplate transaction,
            Clock clock,
            BrokerProperties properties,
            LiveSessions sessions,
            DeliveryWakeUps wakeUps) {
        this.members = members;
        this.store = store;
        this.dispatcher = dispatcher;
        this.audit = audit;
        this.metrics = metrics;
        this.transaction = transaction;
        this.clock = clock;
        this.properties = properties;
        this.sessions = sessions;
        this.wakeUps = wakeUps;
    }

    /**
     * Queues an envelope from {@code sender}. {@code priority} is one of now/next/low; nonce and
     * ciphertext are opaque. Returns only after the envelope and its deliveries are committed.
     */
    public RouteResult route(Member sender, String targetSpec, String priority, String nonce, String ciphertext) {
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
                return new RouteResult.Refused("unknown_target", "no live member of this mesh has that public key");
            }
        } else {
            return new RouteResult.Refused("unknown_target", "target must be a member public key or *");
        }
        // Millisecond precision: the push shows createdAt with milliseconds (A.2), the row must agree.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String messageId = UUID.randomUUID().toString();
        List<String> recipientIds = recipients.stream().map(Member::id).toList();
        // Recipients connected here are pushed to directly; the others may be connected elsewhere.
        List<String> elsewhere = recipientIds.stream()
                .filter(id -> sessions.sessionsOf(id).isEmpty())
                .toList();
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
        transaction.executeWithoutResult(status -> {
            store.insert(envelope, recipientIds);
            wakeUps.announce(elsewhere);
            audit.record(
                    sender.meshId(),
                    "message_routed",
                    sender.id(),
                    broadcast ? null : recipientIds.getFirst(),
                    Map.of(
                            "sender_member_id",
                            sender.id(),
                            "message_id",
                            messageId,
                            "target_kind",
                            broadcast ? "broadcast" : "dm",
                            "recipient_count",
                            recipientIds.size(),
                            "priority",
                            priority,
                            "ciphertext_bytes",
                            ciphertext.getBytes(StandardCharsets.UTF_8).length));
        });
        metrics.messageRouted(priority);
        recipientIds.forEach(dispatcher::request);
        return new RouteResult.Queued(messageId);
    }
}
