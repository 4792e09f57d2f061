package com.claudemesh.broker.routing;

import java.util.Collection;
import java.util.List;

/** The live sessions of routing's tests: one {@link RecordingTarget} per member. */
record RecordingSessions(List<RecordingTarget> sessions) implements LiveSessions {

    RecordingSessions(RecordingTarget... sessions) {
        this(List.of(sessions));
    }

    @Override
    public List<? extends DeliveryTarget> sessionsOf(String memberId) {
        return sessions.stream().filter(s -> s.memberId().equals(memberId)).toList();
    }

    @Override
    public Collection<String> liveMemberIds() {
        return sessions.stream().map(RecordingTarget::memberId).toList();
    }
}
