package com.claudemesh.broker.session;

import com.claudemesh.broker.routing.LiveSessions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * The live sessions of this broker process: every socket (for timeouts and shutdown), and the
 * sessions that passed hello by presence id and by member, plus the per-mesh count that capacity
 * (PROTOCOL A.3 check 2) is measured against.
 */
@Component
class SessionRegistry implements LiveSessions {

    private final Set<Connection> sockets = ConcurrentHashMap.newKeySet();
    private final Map<String, Connection> byPresence = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> byMember = new ConcurrentHashMap<>();
    /** Sessions per mesh, counting hellos between the capacity check and their end. */
    private final Map<String, Integer> perMesh = new ConcurrentHashMap<>();

    private volatile boolean accepting = true;

    boolean accepting() {
        return accepting;
    }

    void stopAccepting() {
        accepting = false;
    }

    void attach(Connection connection) {
        sockets.add(connection);
    }

    void detach(Connection connection) {
        sockets.remove(connection);
    }

    Collection<Connection> sockets() {
        return List.copyOf(sockets);
    }

    /**
     * One session's place in its mesh's capacity (A.3 check 2), taken before the later checks so
     * that concurrent hellos cannot overshoot the limit. Its connection gives it back once, when a
     * later check fails or the session ends.
     */
    final class Slot {
        private final String meshId;
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Slot(String meshId) {
            this.meshId = meshId;
        }

        void release() {
            if (held.compareAndSet(true, false)) {
                perMesh.computeIfPresent(meshId, (id, count) -> count <= 1 ? null : count - 1);
            }
        }
    }

    /** A place among the mesh's at most {@code max} sessions of this process, or empty when it is full. */
    Optional<Slot> reserveSlot(String meshId, int max) {
        boolean[] reserved = {false};
        perMesh.compute(meshId, (id, count) -> {
            int current = count == null ? 0 : count;
            if (current >= max) {
                return count;
            }
            reserved[0] = true;
            return current + 1;
        });
        return reserved[0] ? Optional.of(new Slot(meshId)) : Optional.empty();
    }

    void register(Connection connection) {
        byPresence.put(connection.session().presenceId(), connection);
        byMember.computeIfAbsent(connection.session().memberId(), id -> ConcurrentHashMap.newKeySet())
                .add(connection);
    }

    void unregister(Connection connection) {
        if (byPresence.remove(connection.session().presenceId()) == null) {
            return;
        }
        byMember.computeIfPresent(connection.session().memberId(), (id, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
    }

    Optional<Connection> byPresence(String presenceId) {
        return Optional.ofNullable(byPresence.get(presenceId));
    }

    List<Connection> openOfMember(String memberId) {
        Set<Connection> set = byMember.get(memberId);
        return set == null ? List.of() : List.copyOf(set);
    }

    List<Connection> openInMesh(String meshId) {
        List<Connection> result = new ArrayList<>();
        for (Connection connection : byPresence.values()) {
            if (connection.session().member().meshId().equals(meshId)) {
                result.add(connection);
            }
        }
        return result;
    }

    @Override
    public List<OpenSession> sessionsOf(String memberId) {
        Set<Connection> set = byMember.get(memberId);
        if (set == null) {
            return List.of();
        }
        List<OpenSession> delivering = new ArrayList<>(set.size());
        for (Connection connection : set) {
            if (connection.delivering()) {
                delivering.add(connection.session());
            }
        }
        return delivering;
    }

    @Override
    public Collection<String> liveMemberIds() {
        return List.copyOf(byMember.keySet());
    }
}
