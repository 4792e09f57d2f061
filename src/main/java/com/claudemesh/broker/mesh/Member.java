package com.claudemesh.broker.mesh;

/** A member of a mesh as the session and routing layers see it. */
public record Member(String id, String meshId, String pubkey, String displayName, String role) {}
