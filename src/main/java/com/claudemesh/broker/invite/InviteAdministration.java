package com.claudemesh.broker.invite;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.invite.InviteViews.InviteView;
import com.claudemesh.broker.mesh.MeshNotFound;
import com.claudemesh.broker.mesh.Meshes;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Listing and revoking invites for the admin API. */
@Service
class InviteAdministration {

    private final InviteStore invites;
    private final Meshes meshes;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;

    InviteAdministration(InviteStore invites, Meshes meshes, AuditLog audit, TransactionTemplate tx, Clock clock) {
        this.invites = invites;
        this.meshes = meshes;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    List<InviteView> list(String meshId) {
        if (!meshes.exists(meshId)) {
            throw new MeshNotFound(meshId);
        }
        return invites.ofMesh(meshId).stream()
                .map(row -> InviteView.of(row, clock.instant()))
                .toList();
    }

    /** Revokes the invite (idempotent: a second revoke changes nothing and records nothing). */
    InviteView revoke(String inviteId) {
        tx.executeWithoutResult(status -> {
            InviteRow row = require(inviteId);
            if (invites.revoke(inviteId, clock.instant())) {
                audit.record(
                        row.meshId(), "invite_revoked", null, null, Map.of("invite_id", inviteId, "via", "admin_api"));
            }
        });
        return InviteView.of(require(inviteId), clock.instant());
    }

    private InviteRow require(String inviteId) {
        return invites.find(inviteId).orElseThrow(() -> new InviteNotFound(inviteId));
    }
}
