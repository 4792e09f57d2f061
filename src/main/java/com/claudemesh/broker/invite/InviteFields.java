package com.claudemesh.broker.invite;

import com.claudemesh.broker.crypto.Ed25519;

/**
 * The eight signed fields of an invite payload, in the order of PROTOCOL A.10. The canonical text
 * joins them with {@code |}; {@code expires_at} is unix seconds.
 */
record InviteFields(
        int v,
        String meshId,
        String meshSlug,
        String brokerUrl,
        long expiresAt,
        String meshRootKey,
        String role,
        String ownerPubkey) {

    static final int VERSION = 1;

    String canonical() {
        return v + "|" + meshId + "|" + meshSlug + "|" + brokerUrl + "|" + expiresAt + "|" + meshRootKey + "|" + role
                + "|" + ownerPubkey;
    }

    SignedInvite sign(Ed25519 ed25519, String ownerSecretKeyHex) {
        return new SignedInvite(this, ed25519.sign(canonical(), ownerSecretKeyHex));
    }

    InviteFields withExpiresAt(long newExpiresAt) {
        return new InviteFields(v, meshId, meshSlug, brokerUrl, newExpiresAt, meshRootKey, role, ownerPubkey);
    }

    @Override
    public String toString() {
        return "InviteFields[meshId=" + meshId + ", role=" + role + ", expiresAt=" + expiresAt + "]";
    }
}
