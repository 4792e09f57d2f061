package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.ShutdownStep;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * A.13 step two: every socket is closed with 1001 — after a last ping confirms what it was sent —
 * and every presence is closed. Undelivered envelopes stay queued for the next broker.
 */
@Component
class CloseAllSessions implements ShutdownStep {

    private static final Duration WAIT_FOR_CLOSES = Duration.ofSeconds(5);

    private final SessionRegistry registry;

    CloseAllSessions(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void shutDown() {
        registry.sockets().forEach(connection -> connection.closeByBroker(BrokerClose.SHUTDOWN));
        long deadline = System.nanoTime() + WAIT_FOR_CLOSES.toNanos();
        while (!registry.sockets().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // A socket whose close did not complete still gets its presence closed and claims released.
        registry.sockets().forEach(connection -> connection.onClosed(BrokerClose.SHUTDOWN.status()));
    }

    @Override
    public int getOrder() {
        return CLOSE_SESSIONS;
    }
}
