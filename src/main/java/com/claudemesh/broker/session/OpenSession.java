package com.claudemesh.broker.session;

import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.presence.Presence;
import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.routing.DeliveryTarget;
import com.claudemesh.broker.routing.Push;
import java.util.function.BooleanSupplier;

/**
 * What routing sees of a connection that passed hello: its member and presence, the status that
 * gates its pushes (PROTOCOL A.7), when it was last active (A.6: among a member's eligible sessions
 * the most recently active one wins), and the way into its writer — only while the connection is
 * open.
 */
final class OpenSession implements DeliveryTarget {

    private final Member member;
    private final Presence presence;
    private final Outbound outbound;
    private final BooleanSupplier delivering;
    private final GatingStatus status;
    private volatile long lastActivity = System.nanoTime();

    OpenSession(Member member, Presence presence, Outbound outbound, BooleanSupplier delivering) {
        this.member = member;
        this.presence = presence;
        this.outbound = outbound;
        this.delivering = delivering;
        this.status = new GatingStatus(presence.status());
    }

    Member member() {
        return member;
    }

    Presence presence() {
        return presence;
    }

    /** The session sent a frame. */
    void active() {
        lastActivity = System.nanoTime();
    }

    /** The status used for gating. */
    GatingStatus status() {
        return status;
    }

    boolean delivering() {
        return delivering.getAsBoolean();
    }

    @Override
    public String presenceId() {
        return presence.id();
    }

    @Override
    public String memberId() {
        return member.id();
    }

    @Override
    public boolean admits(Priority priority) {
        return status.admits(priority);
    }

    @Override
    public long lastActivity() {
        return lastActivity;
    }

    @Override
    public int room() {
        return delivering() ? outbound.room() : 0;
    }

    @Override
    public boolean push(Push push) {
        return delivering() && outbound.offerPush(push);
    }

    @Override
    public void moreWaiting() {
        outbound.moreWaiting();
    }
}
