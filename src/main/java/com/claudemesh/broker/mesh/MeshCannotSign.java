package com.claudemesh.broker.mesh;

import com.claudemesh.broker.refusal.Conflict;

/**
 * The mesh exists but cannot sign an invite (A.11): it is archived ({@code mesh_archived}), has no
 * complete keys ({@code mesh_missing_keys}), or its owner secret key is sealed with a key this
 * broker does not have ({@code mesh_key_locked}).
 */
public class MeshCannotSign extends Conflict {

    private MeshCannotSign(String code, String detail) {
        super(code, detail);
    }

    static MeshCannotSign archived(String meshId) {
        return new MeshCannotSign("mesh_archived", "mesh '" + meshId + "' is archived");
    }

    static MeshCannotSign missingKeys(String meshId) {
        return new MeshCannotSign(
                "mesh_missing_keys",
                "mesh '" + meshId + "' has no owner keypair or root key: run POST /api/admin/backfill-keys"
                        + " (or java -jar broker.jar --backfill-keys) first");
    }

    static MeshCannotSign keyLocked(String meshId) {
        return new MeshCannotSign(
                "mesh_key_locked",
                "the owner secret key of mesh '" + meshId
                        + "' is encrypted and cannot be opened with this broker's BROKER_KEY_ENCRYPTION_KEY");
    }
}
