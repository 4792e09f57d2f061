package com.claudemesh.broker.mesh;

import java.time.Instant;

/** A {@code mesh.member} row as the admin API shows it. */
record MemberRow(
        String id,
        String meshId,
        String userId,
        String pubkey,
        String displayName,
        String role,
        Instant joinedAt,
        Instant lastSeenAt,
        Instant revokedAt) {}
