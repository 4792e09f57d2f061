package com.claudemesh.broker.routing;

import com.claudemesh.broker.protocol.Priority;
import java.time.Instant;

/** One claimed delivery on its way to a session: the envelope as the recipient sees it (PROTOCOL A.5). */
public record Push(
        String memberId,
        String messageId,
        String meshId,
        String senderPubkey,
        Priority priority,
        String nonce,
        String ciphertext,
        Instant createdAt) {

    @Override
    public String toString() {
        return "Push[messageId=" + messageId + ", priority=" + priority + "]";
    }
}
