package com.claudemesh.broker.mesh;

/** Published after a member's revocation is committed: its live sessions must close with 1008 {@code revoked}. */
public record MemberRevoked(String meshId, String memberId) {}
