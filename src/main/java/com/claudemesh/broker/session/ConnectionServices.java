package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.routing.Dispatcher;
import java.time.Clock;
import org.springframework.stereotype.Component;

/** What every {@link Connection} works with; connections are not beans, so they get it in one piece. */
@Component
record ConnectionServices(
        SessionSettings settings,
        Clock clock,
        SessionRegistry registry,
        HelloVerifier verifier,
        SessionOpener opener,
        SessionCloser closer,
        SendHandler sends,
        StatusHandler statuses,
        Presences presences,
        Dispatcher dispatcher,
        WriterReports writerReports,
        ConnectionLimits limits,
        BrokerMetrics metrics) {}
