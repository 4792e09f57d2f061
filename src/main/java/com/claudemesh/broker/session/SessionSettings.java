package com.claudemesh.broker.session;

import com.claudemesh.broker.config.BrokerProperties;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** The limits the session layer applies, read from {@link BrokerProperties}, and the fixed times of PROTOCOL A.1/A.3. */
@Component
class SessionSettings {

    /** A.3: a socket that sends no hello within this is closed. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);
    /** A.1: the broker pings every authenticated socket this often. */
    static final Duration PING_INTERVAL = Duration.ofSeconds(30);
    /** A socket heard from neither by frame nor by pong for this long is gone. */
    static final Duration SILENCE_TIMEOUT = Duration.ofSeconds(75);
    /** How long a broker-initiated close waits for the pong that confirms the last pushes. */
    static final Duration CLOSE_CONFIRM_WAIT = Duration.ofSeconds(2);

    private final int maxConnectionsPerMesh;
    private final int maxMessageBytes;
    private final int outboundQueueFrames;
    private final Duration slowConsumerTimeout;
    private final int sendRatePerMinute;
    private final int sendBurst;
    private final int maxSockets;
    private final int maxPendingSocketsPerIp;
    private final int helloRatePerIpPerMinute;
    private final int maxFramesPerSecond;

    SessionSettings(BrokerProperties properties) {
        maxConnectionsPerMesh = properties.maxConnectionsPerMesh();
        maxMessageBytes = properties.maxMessageBytes();
        outboundQueueFrames = properties.outboundQueueFrames();
        slowConsumerTimeout = properties.slowConsumerTimeout();
        sendRatePerMinute = properties.sendRateLimitPerMin();
        sendBurst = properties.sendRateLimitBurst();
        maxSockets = properties.maxSockets();
        maxPendingSocketsPerIp = properties.maxPendingSocketsPerIp();
        helloRatePerIpPerMinute = properties.helloRateLimitPerIpPerMin();
        maxFramesPerSecond = properties.maxFramesPerSecond();
    }

    int maxConnectionsPerMesh() {
        return maxConnectionsPerMesh;
    }

    int maxMessageBytes() {
        return maxMessageBytes;
    }

    int outboundQueueFrames() {
        return outboundQueueFrames;
    }

    Duration slowConsumerTimeout() {
        return slowConsumerTimeout;
    }

    int sendRatePerMinute() {
        return sendRatePerMinute;
    }

    int sendBurst() {
        return sendBurst;
    }

    int maxSockets() {
        return maxSockets;
    }

    int maxPendingSocketsPerIp() {
        return maxPendingSocketsPerIp;
    }

    int helloRatePerIpPerMinute() {
        return helloRatePerIpPerMinute;
    }

    int maxFramesPerSecond() {
        return maxFramesPerSecond;
    }
}
