package com.claudemesh.broker.ops;

import org.springframework.core.Ordered;

/**
 * One step of the orderly shutdown of PROTOCOL A.13, run while the database is still open. Steps run
 * in {@link #getOrder()} order: {@link #STOP_ACCEPTING} (refuse new sockets), then {@link
 * #CLOSE_SESSIONS} (close every socket with 1001), then {@link #RELEASE_PRESENCES} (mark this
 * instance's presences disconnected).
 */
public interface ShutdownStep extends Ordered {

    int STOP_ACCEPTING = 100;
    int CLOSE_SESSIONS = 200;
    int RELEASE_PRESENCES = 300;

    void shutDown();
}
