package com.claudemesh.broker.mesh;

/** A non-archived mesh as {@code POST /join} checks it (A.10); {@code ownerPubkey} may be null. */
public record JoinableMesh(String id, String ownerPubkey) {}
