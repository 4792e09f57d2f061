package com.claudemesh.broker.invite;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** Request and reply bodies of the invite routes of the admin API. */
final class InviteViews {

    private InviteViews() {}

    record CreateInviteRequest(String role, Integer maxUses, Long expiresInSeconds) {}

    /** The only reply that carries the token: the link a person shares. */
    record InviteCreated(
            String id, String token, String link, JsonNode payload, Instant expiresAt, int maxUses, String role) {

        @Override
        public String toString() {
            return "InviteCreated[id=" + id + ", role=" + role + "]";
        }
    }

    record InviteView(
            String id,
            String meshId,
            String role,
            String state,
            int maxUses,
            int uses,
            Instant expiresAt,
            Instant createdAt,
            Instant revokedAt) {

        static InviteView of(InviteRow row, Instant now) {
            return new InviteView(
                    row.id(),
                    row.meshId(),
                    row.role(),
                    row.state(now),
                    row.maxUses(),
                    row.usedCount(),
                    row.expiresAt(),
                    row.createdAt(),
                    row.revokedAt());
        }
    }
}
