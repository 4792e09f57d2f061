package com.claudemesh.broker.mesh;

import com.claudemesh.broker.keys.MeshSigningKeys;
import com.claudemesh.broker.keys.OwnerKeyCipher;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Mesh lookups for other packages: joining (A.10) and issuing invites (A.11). */
@Service
public class Meshes {

    private final MeshStore meshes;
    private final OwnerKeyCipher cipher;

    Meshes(MeshStore meshes, OwnerKeyCipher cipher) {
        this.meshes = meshes;
        this.cipher = cipher;
    }

    public boolean exists(String meshId) {
        return meshes.find(meshId).isPresent();
    }

    /** The mesh, unless it is missing or archived. */
    public Optional<JoinableMesh> findJoinable(String meshId) {
        return meshes.find(meshId)
                .filter(row -> !row.archived())
                .map(row -> new JoinableMesh(row.id(), row.ownerPubkey()));
    }

    /**
     * The keys to sign an invite of a mesh with.
     *
     * @throws MeshNotFound when no mesh has the id
     * @throws MeshCannotSign when it is archived, has no complete keys, or its sealed secret key does
     *     not open with this broker's key
     * @throws com.claudemesh.broker.keys.OwnerKeysLocked before the start-up key check passed
     */
    public MeshSigningKeys signingKeys(String meshId) {
        MeshRow row = meshes.find(meshId).orElseThrow(() -> new MeshNotFound(meshId));
        if (row.archived()) {
            throw MeshCannotSign.archived(meshId);
        }
        if (!row.hasKeys()) {
            throw MeshCannotSign.missingKeys(meshId);
        }
        String secretKey =
                cipher.reveal(row.id(), row.storedSecretKey()).orElseThrow(() -> MeshCannotSign.keyLocked(meshId));
        return new MeshSigningKeys(row.id(), row.slug(), row.ownerPubkey(), secretKey, row.rootKey());
    }
}
