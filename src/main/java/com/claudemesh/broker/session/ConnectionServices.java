package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.routing.Dispatcher;
import java.time.Clock;
import java.util.function.Supplier;
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
        BrokerMetrics metrics) {

    /** A connection's writer, sized by the settings; reports its failures under the connection's presence. */
    Outbound outbound(Socket socket, Outbound.Events events, Supplier<String> presenceId) {
        return new Outbound(
                socket,
                settings.outboundQueueFrames(),
                SessionSettings.CLOSE_CONFIRM_WAIT,
                events,
                writerReports.of(presenceId));
    }

    /** A connection's inbound fragments, with the message byte limit and the per-socket frame rate. */
    InboundFrames inboundFrames() {
        return new InboundFrames(settings.maxMessageBytes(), limits.frames(), limits.maxFramesPerSecond());
    }
}
