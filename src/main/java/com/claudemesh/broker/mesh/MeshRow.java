package com.claudemesh.broker.mesh;

import java.time.Instant;

/** A {@code mesh.mesh} row; {@code storedSecretKey} is the column as stored (maybe sealed). */
record MeshRow(
        String id,
        String name,
        String slug,
        String ownerUserId,
        String visibility,
        String transport,
        Integer maxPeers,
        String tier,
        String ownerPubkey,
        String storedSecretKey,
        String rootKey,
        Instant createdAt,
        Instant archivedAt) {

    boolean archived() {
        return archivedAt != null;
    }

    boolean hasKeys() {
        return ownerPubkey != null && storedSecretKey != null && rootKey != null;
    }

    @Override
    public String toString() {
        return "MeshRow[id=" + id + ", slug=" + slug + "]";
    }
}
