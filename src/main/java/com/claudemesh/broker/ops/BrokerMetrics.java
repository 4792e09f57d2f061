package com.claudemesh.broker.ops;

import com.claudemesh.broker.protocol.Priority;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The {@code broker_*} series of PROTOCOL A.12. Existing Grafana dashboards query these exact names
 * and label keys, so every series exists (at 0) from start-up, including one row per known label
 * value.
 *
 * <p>Beyond A.12, for the dashboard and alerts of {@code ops/}: the delivery latency ({@code
 * broker_delivery_latency_seconds{path}}), the send → ack latency ({@code
 * broker_send_ack_latency_seconds}), both histograms with fixed buckets, and the age of the oldest
 * undelivered envelope ({@code broker_queue_oldest_age_seconds}). The hot-path recorders use meters
 * built once here: no lookup by name or tag per call.
 */
@Component
public class BrokerMetrics {

    /**
     * The A.3 hello codes, then the socket limits (docs/RELIABILITY.md): {@code try_again_later} (the
     * database did not answer), {@code max_sockets}, {@code pending_per_ip}, {@code hello_rate},
     * {@code flooding}, {@code slow_consumer} (the last two end an open session).
     */
    static final List<String> CONNECTION_REJECT_REASONS = List.of(
            "malformed",
            "capacity",
            "timestamp_skew",
            "bad_signature",
            "unauthorized",
            "replayed",
            "hello_timeout",
            "try_again_later",
            "max_sockets",
            "pending_per_ip",
            "hello_rate",
            "flooding",
            "slow_consumer");

    static final List<String> MESSAGE_REJECT_REASONS = List.of(
            "malformed",
            "bad_priority",
            "unknown_target",
            "rate_limited",
            "too_large",
            "unavailable",
            "internal_error");
    /** Why a delivery was retired undelivered other than by expiry (routing.Undeliverable). */
    static final List<String> DROP_REASONS = List.of("unencodable");
    /** Why a hook call was refused with 403 (presence.HookAccess). */
    static final List<String> HOOK_REFUSAL_REASONS = List.of("token_required", "address_not_allowed", "bad_token");
    /** Where a socket's writer failed: encoding a frame (skipped), or writing it (socket closed). */
    static final List<String> OUTBOUND_FAILURE_STAGES = List.of("encode", "write");

    /** Delivery buckets reach days: a queued delivery waits for its recipient to come back. */
    private static final Duration[] DELIVERY_BUCKETS = seconds(
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3_600, 21_600,
            86_400, 604_800);

    private static final Duration[] ACK_BUCKETS =
            seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter connections;
    private final Counter ttlSweeps;
    private final Counter hookRequests;
    private final Counter hookRateLimited;
    private final Counter framesRateLimited;
    private final AtomicLong activeConnections = new AtomicLong();
    private final AtomicLong queueDepth = new AtomicLong();
    private final AtomicLong queueOldestAgeMillis = new AtomicLong();
    private final Timer directDeliveries;
    private final Timer queuedDeliveries;
    private final Timer sendAcks;
    private final Map<String, Counter> connectionRejects = new ConcurrentHashMap<>();
    private final Map<String, Counter> routed = new ConcurrentHashMap<>();
    private final Map<String, Counter> messageRejects = new ConcurrentHashMap<>();
    private final Map<String, Counter> drops = new ConcurrentHashMap<>();
    private final Map<String, Counter> hookRefusals = new ConcurrentHashMap<>();
    private final Map<String, Counter> outboundFailures = new ConcurrentHashMap<>();

    BrokerMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
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
        framesRateLimited = Counter.builder("broker.frames.rate.limited")
                .description("WebSocket frames refused by MAX_FRAMES_PER_SECOND (answered rate_limited)")
                .register(registry);
        Gauge.builder("broker.connections.active", activeConnections, AtomicLong::get)
                .description("Authenticated WebSocket sessions open now")
                .register(registry);
        Gauge.builder("broker.queue.depth", queueDepth, AtomicLong::get)
                .description("Deliveries waiting for their recipient")
                .register(registry);
        Gauge.builder("broker.queue.oldest.age", queueOldestAgeMillis, millis -> millis.get() / 1000.0)
                .description("Age of the oldest envelope still waiting for a recipient (0 when none waits)")
                .baseUnit("seconds")
                .register(registry);
        directDeliveries = deliveryTimer("direct");
        queuedDeliveries = deliveryTimer("queued");
        sendAcks = Timer.builder("broker.send.ack.latency")
                .description("From a send handed to routing to its ack released by the envelope's commit")
                .serviceLevelObjectives(ACK_BUCKETS)
                .register(registry);
        CONNECTION_REJECT_REASONS.forEach(this::connectionRejectCounter);
        for (Priority priority : Priority.values()) {
            routedCounter(priority);
        }
        MESSAGE_REJECT_REASONS.forEach(this::messageRejectCounter);
        DROP_REASONS.forEach(this::dropCounter);
        HOOK_REFUSAL_REASONS.forEach(this::hookRefusalCounter);
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

    /** The age of the oldest undelivered envelope; zero when nothing waits. */
    public void queueOldestAge(Duration age) {
        queueOldestAgeMillis.set(Math.max(0, age.toMillis()));
    }

    /**
     * A push frame reached the recipient's socket: {@code direct} ones measure commit → written, the
     * others (claimed from the queue) the envelope's creation → written.
     */
    public void pushWritten(Instant committedAt, boolean direct) {
        Duration latency = Duration.between(committedAt, clock.instant());
        (direct ? directDeliveries : queuedDeliveries).record(latency.isNegative() ? Duration.ZERO : latency);
    }

    /** A send's ack was released, {@code nanos} after the send was handed to routing. */
    public void sendAcked(long nanos) {
        sendAcks.record(nanos, TimeUnit.NANOSECONDS);
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

    public void hookRefused(String reason) {
        hookRefusalCounter(reason).increment();
    }

    public void frameRateLimited() {
        framesRateLimited.increment();
    }

    private Timer deliveryTimer(String path) {
        return Timer.builder("broker.delivery.latency")
                .description("From an envelope becoming deliverable to its push written to the recipient's socket,"
                        + " by path (direct: pushed after the commit; queued: claimed from the queue)")
                .tag("path", path)
                .serviceLevelObjectives(DELIVERY_BUCKETS)
                .register(registry);
    }

    private static Duration[] seconds(double... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return durations;
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

    private Counter hookRefusalCounter(String reason) {
        return tagged(
                hookRefusals,
                "broker.hook.requests.refused",
                "POST /hook/set-status requests refused with 403: no token where one is needed, or a token of no live session",
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
