package com.claudemesh.broker.mesh;

import java.time.Instant;

/** What the admin API returns about meshes and members; never a secret key or a root key. */
final class MeshViews {

    private MeshViews() {}

    record CreateMeshRequest(
            String name, String slug, String ownerUserId, String visibility, String transport, Integer maxPeers) {}

    record MeshCreated(String id, String name, String slug, String ownerPubkey, Instant createdAt) {}

    record MeshView(
            String id,
            String name,
            String slug,
            String ownerUserId,
            String visibility,
            String transport,
            Integer maxPeers,
            String tier,
            String ownerPubkey,
            boolean hasKeys,
            long memberCount,
            Instant createdAt,
            Instant archivedAt) {

        static MeshView of(MeshRow row, long memberCount) {
            return new MeshView(
                    row.id(),
                    row.name(),
                    row.slug(),
                    row.ownerUserId(),
                    row.visibility(),
                    row.transport(),
                    row.maxPeers(),
                    row.tier(),
                    row.ownerPubkey(),
                    row.hasKeys(),
                    memberCount,
                    row.createdAt(),
                    row.archivedAt());
        }
    }

    record MemberView(
            String id,
            String meshId,
            String userId,
            String pubkey,
            String displayName,
            String role,
            Instant joinedAt,
            Instant lastSeenAt,
            Instant revokedAt) {

        static MemberView of(MemberRow row) {
            return new MemberView(
                    row.id(),
                    row.meshId(),
                    row.userId(),
                    row.pubkey(),
                    row.displayName(),
                    row.role(),
                    row.joinedAt(),
                    row.lastSeenAt(),
                    row.revokedAt());
        }
    }

    record BackfillResult(int updated) {}
}
