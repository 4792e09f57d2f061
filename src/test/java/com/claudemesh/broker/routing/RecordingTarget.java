package com.claudemesh.broker.routing;

import com.claudemesh.broker.protocol.Priority;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A session as routing sees it, for routing's tests: it admits every priority, always has room, and
 * records what is pushed to it, in order. Equal only to itself, like the session layer's
 * sessions — the drain state keeps sessions in sets.
 */
final class RecordingTarget implements DeliveryTarget {

    private final String presenceId;
    private final String memberId;
    private final List<Push> pushes = new CopyOnWriteArrayList<>();

    RecordingTarget(String presenceId, String memberId) {
        this.presenceId = presenceId;
        this.memberId = memberId;
    }

    /** The message ids pushed so far, in push order. */
    List<String> pushed() {
        return pushes.stream().map(Push::messageId).toList();
    }

    /** The pushes so far, in push order. */
    List<Push> pushes() {
        return pushes;
    }

    @Override
    public String presenceId() {
        return presenceId;
    }

    @Override
    public String memberId() {
        return memberId;
    }

    @Override
    public boolean admits(Priority priority) {
        return true;
    }

    @Override
    public long lastActivity() {
        return 0;
    }

    @Override
    public int room() {
        return 100;
    }

    @Override
    public boolean push(Push push) {
        pushes.add(push);
        return true;
    }

    @Override
    public void moreWaiting() {}
}
