package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.ShutdownStep;
import org.springframework.stereotype.Component;

/** A.13 step one: new sockets and hellos are refused with 1001 from now on. */
@Component
class StopAcceptingSessions implements ShutdownStep {

    private final SessionRegistry registry;

    StopAcceptingSessions(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void shutDown() {
        registry.stopAccepting();
    }

    @Override
    public int getOrder() {
        return STOP_ACCEPTING;
    }
}
