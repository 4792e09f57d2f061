package com.claudemesh.broker.mesh;

/** Published after a mesh was archived: its sessions may no longer send or receive. */
public record MeshArchived(String meshId) {}
