package com.claudemesh.broker.keys;

/** What issuing an invite needs from a mesh (A.11). The secret key never leaves the broker. */
public record MeshSigningKeys(
        String meshId, String slug, String ownerPubkey, String ownerSecretKeyHex, String rootKey) {

    @Override
    public String toString() {
        return "MeshSigningKeys[meshId=" + meshId + ", slug=" + slug + ", keys=<redacted>]";
    }
}
