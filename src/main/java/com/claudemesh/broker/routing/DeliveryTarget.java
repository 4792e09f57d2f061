package com.claudemesh.broker.routing;

import com.claudemesh.broker.protocol.Priority;

/**
 * A live session as routing sees it: something that can take pushes. The session layer implements
 * it; routing never touches sockets.
 */
public interface DeliveryTarget {

    String presenceId();

    String memberId();

    /** Whether the session's current status lets this priority through (PROTOCOL A.7). */
    boolean admits(Priority priority);

    /** Larger is more recent; among a member's eligible sessions the most recently active wins (A.6). */
    long lastActivity();

    /** How many pushes the session's outbound buffer can take now without blocking. */
    int room();

    /**
     * Hands a claimed delivery to the session's writer. {@code false} when the session no longer
     * takes pushes; the caller then releases the claim.
     */
    boolean push(Push push);

    /** The last drain filled the buffer and more is waiting: ask for another drain once it empties. */
    void moreWaiting();
}
