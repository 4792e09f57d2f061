package com.claudemesh.broker.session;

import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.db.Reachability;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.presence.Presence;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.presence.Status;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * A.8 {@code set_status} from the session itself: written with source {@code manual}, the only way
 * out of dnd. No reply in v1 — except when the status could not be stored, so the peer can send it
 * again. What it makes eligible is pushed through the status change event, like a hook's.
 */
@Component
class StatusHandler {

    private static final Logger log = LoggerFactory.getLogger(StatusHandler.class);

    private final Presences presences;
    private final Reachability reachability;

    StatusHandler(Presences presences, Reachability reachability) {
        this.presences = presences;
        this.reachability = reachability;
    }

    /**
     * The error to answer, if the status was not stored. Written on the reader's thread: while the
     * database is known down it is not tried, so the reader never waits a pool timeout for it.
     */
    Optional<Frames.Error> set(Presence presence, Member member, Status status) {
        try {
            reachability.attempt(() -> {
                presences.setManualStatus(presence.id(), member.id(), status);
                return null;
            });
            return Optional.empty();
        } catch (DataAccessException e) {
            if (GroupCommit.unavailable(e)) {
                return Optional.of(
                        new Frames.Error("unavailable", "the database is unavailable; send the status again"));
            }
            log.warn("Writing a manual status failed: {}", e.getClass().getSimpleName());
            return Optional.of(new Frames.Error("internal_error", "the status was not saved, send it again"));
        }
    }
}
