package com.claudemesh.broker.session;

import com.claudemesh.broker.mesh.MemberRevoked;
import com.claudemesh.broker.mesh.MeshArchived;
import com.claudemesh.broker.presence.PresenceStatusChanged;
import com.claudemesh.broker.routing.Dispatcher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** What other features announce that changes live sessions: status changes (A.7), revocations, archiving. */
@Component
class SessionEvents {

    private final SessionRegistry registry;
    private final Dispatcher dispatcher;

    SessionEvents(SessionRegistry registry, Dispatcher dispatcher) {
        this.registry = registry;
        this.dispatcher = dispatcher;
    }

    /** Gating reads the in-memory status; a status that admits more pushes what it now admits at once. */
    @EventListener
    void statusChanged(PresenceStatusChanged event) {
        registry.byPresence(event.presenceId()).ifPresent(connection -> {
            if (connection.session().status().changed(event.status())) {
                dispatcher.request(event.memberId());
            }
        });
    }

    @EventListener
    void memberRevoked(MemberRevoked event) {
        for (Connection connection : registry.openOfMember(event.memberId())) {
            connection.closeByBroker(BrokerClose.REVOKED);
        }
    }

    @EventListener
    void meshArchived(MeshArchived event) {
        for (Connection connection : registry.openInMesh(event.meshId())) {
            connection.closeByBroker(BrokerClose.MESH_ARCHIVED);
        }
    }
}
