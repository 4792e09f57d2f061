package com.claudemesh.broker.session;

import com.claudemesh.broker.config.BrokerProperties;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The limits the session layer applies, read from {@link BrokerProperties} plus the fixed times of
 * PROTOCOL A.1/A.3. They are mutable (package-private setters) so that tests can shrink a limit on the
 * one shared broker context instead of starting another.
 */
@Component
class SessionSettings {

    private volatile int maxConnectionsPerMesh;
    private volatile int maxMessageBytes;
    private volatile int outboundQueueFrames;
    private volatile Duration slowConsumerTimeout;
    private volatile int sendRatePerMinute;
    private volatile int sendBurst;
    private volatile Duration helloTimeout = Duration.ofSeconds(10);
    private volatile Duration pingInterval = Duration.ofSeconds(30);
    private volatile Duration silenceTimeout = Duration.ofSeconds(75);
    /** How long a broker-initiated close waits for the pong that confirms the last pushes. */
    private volatile Duration closeConfirmWait = Duration.ofSeconds(2);

    SessionSettings(BrokerProperties properties) {
        maxConnectionsPerMesh = properties.maxConnectionsPerMesh();
        maxMessageBytes = properties.maxMessageBytes();
        outboundQueueFrames = properties.outboundQueueFrames();
        slowConsumerTimeout = properties.slowConsumerTimeout();
        sendRatePerMinute = properties.sendRateLimitPerMin();
        sendBurst = properties.sendRateLimitBurst();
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

    Duration helloTimeout() {
        return helloTimeout;
    }

    Duration pingInterval() {
        return pingInterval;
    }

    Duration silenceTimeout() {
        return silenceTimeout;
    }

    Duration closeConfirmWait() {
        return closeConfirmWait;
    }

    void maxConnectionsPerMesh(int value) {
        maxConnectionsPerMesh = value;
    }

    void outbound(int frames, Duration slowConsumer) {
        outboundQueueFrames = frames;
        slowConsumerTimeout = slowConsumer;
    }

    void sendRate(int perMinute, int burst) {
        sendRatePerMinute = perMinute;
        sendBurst = burst;
    }
}
