package com.claudemesh.broker.ops;

import com.claudemesh.broker.protocol.Priority;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The {@code broker_*} series of PROTOCOL A.12. Existing Grafana dashboards query these exact names
 * and label keys, so every series exists (at 0) from start-up, including one row per known label
 * value.
 */
@Component
public class BrokerMetrics {

    static final List<String> CONNECTION_REJECT_REASONS =
            List.of("malformed", "capacity", "timestamp_skew", "bad_signature", "unauthorized", "hello_timeout");
    static final List<String> MESSAGE_REJECT_REASONS =
            List.of("malformed", "bad_priority", "unknown_target", "rate_limited", "too_large");
    /** Why a delivery was retired undelivered other than by expiry (routing.Undeliverable). */
    static final List<String> DROP_REASONS = List.of("unencodable");
    /** Where a socket's writer failed: encoding a frame (skipped), or writing it (socket closed). */
    static final List<String> OUTBOUND_FAILURE_STAGES = List.of("encode", "write");

    private final MeterRegistry registry;
    private final Counter connections;
    private final Counter ttlSweeps;
    private final Counter hookRequests;
    private final Counter hookRateLimited;
    private final AtomicLong activeConnections = new AtomicLong();
    private final AtomicLong queueDepth = new AtomicLong();
    private final Map<String, Counter> connectionRejects = new ConcurrentHashMap<>();
    private final Map<String, Counter> routed = new ConcurrentHashMap<>();
    private final Map<String, Counter> messageRejects = new ConcurrentHashMap<>();
    private final Map<String, Counter> drops = new ConcurrentHashMap<>();
    private final Map<String, Counter> outboundFailures = new ConcurrentHashMap<>();

    BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        connections = Counter.builder("broker.connections")
                .description("WebSocket connections accepted")
                .register(registry);
        ttlSweeps = Counter.builder("broker.ttl.sweeps")
                .description("Runs of the working-status TTL sweep")
                .register(registry);
        hookRequests = Counter.builder("broker.hook.requests")
                .description("POST /hook/set-status requests")
                .register(registry);
        hookRateLimited = Counter.builder("broker.hook.requests.rate.limited")
                .description("POST /hook/set-status requests refused by the rate limit")
                .register(registry);
        Gauge.builder("broker.connections.active", activeConnections, AtomicLong::get)
                .description("Authenticated WebSocket sessions open now")
                .register(registry);
        Gauge.builder("broker.queue.depth", queueDepth, AtomicLong::get)
                .description("Deliveries waiting for their recipient")
                .register(registry);
        CONNECTION_REJECT_REASONS.forEach(this::connectionRejectCounter);
        for (Priority priority : Priority.values()) {
            routedCounter(priority);
        }
        MESSAGE_REJECT_REASONS.forEach(this::messageRejectCounter);
        DROP_REASONS.forEach(this::dropCounter);
        OUTBOUND_FAILURE_STAGES.forEach(this::outboundFailureCounter);
    }

    public void connectionOpened() {
        connections.increment();
        activeConnections.incrementAndGet();
    }

    public void connectionClosed() {
        activeConnections.decrementAndGet();
    }

    public void connectionRejected(String reason) {
        connectionRejectCounter(reason).increment();
    }

    public void messageRouted(Priority priority) {
        routedCounter(priority).increment();
    }

    public void messageRejected(String reason) {
        messageRejectCounter(reason).increment();
    }

    public void deliveryDropped(String reason) {
        dropCounter(reason).increment();
    }

    public void outboundFailure(String stage) {
        outboundFailureCounter(stage).increment();
    }

    public void queueDepth(long pendingDeliveries) {
        queueDepth.set(pendingDeliveries);
    }

    public void ttlSweepRan() {
        ttlSweeps.increment();
    }

    public void hookRequest() {
        hookRequests.increment();
    }

    public void hookRateLimited() {
        hookRateLimited.increment();
    }

    private Counter connectionRejectCounter(String reason) {
        return tagged(
                connectionRejects,
                "broker.connections.rejected",
                "WebSocket connections refused, by reason",
                "reason",
                reason);
    }

    private Counter routedCounter(Priority priority) {
        return tagged(
                routed,
                "broker.messages.routed",
                "Envelopes accepted and queued, by priority",
                "priority",
                priority.wire());
    }

    private Counter messageRejectCounter(String reason) {
        return tagged(messageRejects, "broker.messages.rejected", "Sends refused, by reason", "reason", reason);
    }

    private Counter dropCounter(String reason) {
        return tagged(
                drops,
                "broker.deliveries.dropped",
                "Deliveries retired undelivered because no session can be sent them, by reason",
                "reason",
                reason);
    }

    private Counter outboundFailureCounter(String stage) {
        return tagged(
                outboundFailures,
                "broker.outbound.failures",
                "Frames a socket writer could not encode (skipped) or write (socket closed), by stage",
                "stage",
                stage);
    }

    private Counter tagged(Map<String, Counter> byValue, String name, String description, String tag, String value) {
        return byValue.computeIfAbsent(
                value,
                v -> Counter.builder(name).description(description).tag(tag, v).register(registry));
    }
}
