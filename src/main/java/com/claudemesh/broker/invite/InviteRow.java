package com.claudemesh.broker.invite;

import java.time.Instant;

/** A {@code mesh.invite} row without its token (the token is a credential; only its creator sees it). */
record InviteRow(
        String id,
        String meshId,
        String role,
        int maxUses,
        int usedCount,
        Instant expiresAt,
        String createdBy,
        Instant createdAt,
        Instant revokedAt) {

    /** active, used_up, expired or revoked; revocation and expiry win over exhaustion. */
    String state(Instant now) {
        if (revokedAt != null) {
            return "revoked";
        }
        if (!now.isBefore(expiresAt)) {
            return "expired";
        }
        if (usedCount >= maxUses) {
            return "used_up";
        }
        return "active";
    }
}
