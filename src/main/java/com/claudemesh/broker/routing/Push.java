package com.claudemesh.broker.routing;

import com.claudemesh.broker.protocol.Priority;
import java.time.Instant;

/**
 * One claimed delivery on its way to a session: the envelope as the recipient sees it (PROTOCOL A.5),
 * and for the delivery latency when the envelope became deliverable: {@code direct} pushes go to
 * their session straight after the commit and carry its time; pushes claimed from the queue carry
 * the envelope's creation, stamped just before its commit (the row keeps no commit time), so their
 * latency includes the time the recipient was offline or busy. The pushes of one envelope to
 * several recipients share its {@code encoded} frame, which compares by identity: two pushes are
 * equal only if they share it.
 */
public record Push(
        String memberId,
        String messageId,
        String meshId,
        String senderPubkey,
        Priority priority,
        String nonce,
        String ciphertext,
        Instant createdAt,
        Instant committedAt,
        boolean direct,
        EncodedOnce encoded) {

    /** A push whose frame no other push shares. */
    public Push(
            String memberId,
            String messageId,
            String meshId,
            String senderPubkey,
            Priority priority,
            String nonce,
            String ciphertext,
            Instant createdAt,
            Instant committedAt,
            boolean direct) {
        this(
                memberId,
                messageId,
                meshId,
                senderPubkey,
                priority,
                nonce,
                ciphertext,
                createdAt,
                committedAt,
                direct,
                EncodedOnce.ALONE);
    }

    @Override
    public String toString() {
        return "Push[messageId=" + messageId + ", priority=" + priority + "]";
    }
}
