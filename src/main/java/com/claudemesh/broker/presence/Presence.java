package com.claudemesh.broker.presence;

import java.time.Instant;

/** One live session's presence row. */
public record Presence(
        String id,
        String memberId,
        String sessionId,
        int pid,
        String cwd,
        Status status,
        StatusSource source,
        Instant statusUpdatedAt,
        Instant connectedAt) {

    Presence withState(Status newStatus, StatusSource newSource, Instant updatedAt) {
        return new Presence(id, memberId, sessionId, pid, cwd, newStatus, newSource, updatedAt, connectedAt);
    }
}
