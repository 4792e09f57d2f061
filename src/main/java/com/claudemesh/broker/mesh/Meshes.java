package com.claudemesh.broker.mesh;

import com.claudemesh.broker.admin.AdminApiException;
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
     * @throws AdminApiException when the mesh is missing (404), archived or has no complete keys (409)
     */
    public MeshSigningKeys signingKeys(String meshId) {
        MeshRow row = meshes.find(meshId)
                .orElseThrow(() -> AdminApiException.notFound("mesh_not_found", "no mesh with id '" + meshId + "'"));
        if (row.archived()) {
            throw AdminApiException.conflict("mesh_archived", "mesh '" + meshId + "' is archived");
        }
        if (!row.hasKeys()) {
            throw AdminApiException.conflict(
                    "mesh_missing_keys",
                    "mesh '" + meshId + "' has no owner keypair or root key: run POST /api/admin/backfill-keys"
                            + " (or java -jar broker.jar --backfill-keys) first");
        }
        String secretKey = cipher.reveal(row.id(), row.storedSecretKey())
                .orElseThrow(() -> AdminApiException.conflict(
                        "mesh_key_locked",
                        "the owner secret key of mesh '" + meshId
                                + "' is encrypted and cannot be opened with this broker's BROKER_KEY_ENCRYPTION_KEY"));
        return new MeshSigningKeys(row.id(), row.slug(), row.ownerPubkey(), secretKey, row.rootKey());
    }
}
