package com.claudemesh.broker.mesh;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.mesh.MeshViews.MemberView;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Listing and revoking members for the admin API. */
@Service
class MemberAdministration {

    private final MeshStore meshes;
    private final MemberStore members;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    MemberAdministration(
            MeshStore meshes,
            MemberStore members,
            AuditLog audit,
            TransactionTemplate tx,
            ApplicationEventPublisher events,
            Clock clock) {
        this.meshes = meshes;
        this.members = members;
        this.audit = audit;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
    }

    List<MemberView> list(String meshId) {
        requireMesh(meshId);
        return members.ofMesh(meshId).stream().map(MemberView::of).toList();
    }

    /**
     * Revokes the member (idempotent). {@link MemberRevoked} is published after the commit, outside
     * the transaction, so a listener that closes live sessions never acts on a revocation that rolled
     * back.
     */
    MemberView revoke(String meshId, String memberId) {
        requireMesh(meshId);
        boolean changed = Boolean.TRUE.equals(tx.execute(status -> {
            requireMember(meshId, memberId);
            if (!members.revoke(meshId, memberId, clock.instant())) {
                return false;
            }
            audit.record(meshId, "member_revoked", null, memberId, Map.of("via", "admin_api"));
            return true;
        }));
        if (changed) {
            events.publishEvent(new MemberRevoked(meshId, memberId));
        }
        return MemberView.of(requireMember(meshId, memberId));
    }

    private void requireMesh(String meshId) {
        if (meshes.find(meshId).isEmpty()) {
            throw new MeshNotFound(meshId);
        }
    }

    private MemberRow requireMember(String meshId, String memberId) {
        return members.find(meshId, memberId).orElseThrow(() -> new MemberNotFound(meshId, memberId));
    }
}
