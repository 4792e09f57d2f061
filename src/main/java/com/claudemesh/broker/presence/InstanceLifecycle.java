package com.claudemesh.broker.presence;

import com.claudemesh.broker.db.LoggableFailure;
import com.claudemesh.broker.ops.SchemaReadyEvent;
import com.claudemesh.broker.ops.ShutdownStep;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * This process's life as a presence owner (docs/status-model.md, "Instance identity"): it registers
 * itself once the schema is ready, keeps a heartbeat, closes the presences of instances whose
 * heartbeat stopped (crashed brokers, at start-up and then on every heartbeat) and, at shutdown
 * (A.13), marks every presence it owns disconnected.
 */
@Component
class InstanceLifecycle implements ShutdownStep {

    /** Three missed heartbeats (one every 10 s): long enough for a slow database, short enough for a crash. */
    static final Duration DEAD_AFTER = Duration.ofSeconds(30);
    /**
     * Presences without an owner come from a broker that predates instance identity; such a broker
     * pings every 30 s, so a row silent for this long is a leftover.
     */
    static final Duration OWNERLESS_SILENT_AFTER = Duration.ofMinutes(2);

    private static final Logger log = LoggerFactory.getLogger(InstanceLifecycle.class);

    private final BrokerInstance self;
    private final BrokerInstances instances;
    private final PresenceRows rows;
    private final LocalPresences local;
    private final Clock clock;
    private volatile Integer port;
    private volatile boolean registered;
    private volatile boolean released;

    InstanceLifecycle(
            BrokerInstance self, BrokerInstances instances, PresenceRows rows, LocalPresences local, Clock clock) {
        this.self = self;
        this.instances = instances;
        this.rows = rows;
        this.local = local;
        this.clock = clock;
    }

    String instanceId() {
        return self.id();
    }

    /** The port tells a crashed predecessor on this host apart from a live neighbour. */
    @EventListener
    void onWebServerStarted(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) {
            port = event.getWebServer().getPort();
        }
    }

    @EventListener(SchemaReadyEvent.class)
    void onSchemaReady() {
        try {
            ensureRegistered();
            reapDead();
        } catch (DataAccessException e) {
            log.warn(
                    "Registering broker instance {} failed, retrying with the heartbeat: {}",
                    self.id(),
                    LoggableFailure.describe(e));
        }
    }

    /** Called before the first presence is written, which may precede {@link SchemaReadyEvent}. */
    void ensureRegistered() {
        if (!registered) {
            register();
        }
    }

    @Scheduled(fixedDelay = 10, timeUnit = TimeUnit.SECONDS)
    void scheduledHeartbeat() {
        try {
            heartbeat();
            reapDead();
        } catch (DataAccessException e) {
            log.warn("Broker instance heartbeat failed: {}", LoggableFailure.describe(e));
        }
    }

    /**
     * Refreshes this instance's row. When the row is gone another instance took this one for dead
     * (a database outage longer than {@link #DEAD_AFTER}) and closed its presences: the sessions
     * here are still open, so the row and their presences come back.
     */
    void heartbeat() {
        if (released) {
            return;
        }
        if (!registered || !instances.heartbeat(self)) {
            register();
        }
    }

    /** Closes the presences that crashed instances left open; returns how many. */
    int reapDead() {
        Instant now = clock.instant();
        int closed = instances.reapDead(self, port, DEAD_AFTER, now.minus(OWNERLESS_SILENT_AFTER));
        if (closed > 0) {
            log.info("Closed {} presence(s) left open by broker instances that stopped", closed);
        }
        return closed;
    }

    @Override
    public void shutDown() {
        released = true;
        int closed = rows.closeAllOf(self.id(), clock.instant());
        instances.remove(self);
        log.info("Marked {} presence(s) of broker instance {} disconnected", closed, self.id());
    }

    @Override
    public int getOrder() {
        return RELEASE_PRESENCES;
    }

    private synchronized void register() {
        if (released) {
            return;
        }
        if (instances.register(self, port, clock.instant()) && registered) {
            int reopened = rows.reopen(self.id(), local.openIds());
            log.warn("Broker instance {} had been taken for dead; reopened {} presence(s)", self.id(), reopened);
        }
        registered = true;
    }
}
