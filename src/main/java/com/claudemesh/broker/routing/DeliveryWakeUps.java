package com.claudemesh.broker.routing;

import com.claudemesh.broker.ops.SchemaReadyEvent;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Wakes the broker processes that hold a recipient's sessions when another process queued
 * deliveries for it: a {@code pg_notify} in the statement that stores the sends ({@link
 * DeliveryStore#insert}, delivered on commit; {@link #payloads}), and one connection per process
 * that listens. The dispatcher's periodic drain stays as the safety net.
 */
@Component
class DeliveryWakeUps implements DisposableBean {

    static final String CHANNEL = "claudemesh_deliveries";
    /** PostgreSQL's notification payload limit is 8000 bytes; member ids are joined below it. */
    private static final int MAX_PAYLOAD = 7_000;

    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(DeliveryWakeUps.class);

    private final DataSource dataSource;
    private final Dispatcher dispatcher;
    private final AtomicBoolean listening = new AtomicBoolean();
    private volatile boolean stopped;

    DeliveryWakeUps(DataSource dataSource, Dispatcher dispatcher) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
    }

    @EventListener(SchemaReadyEvent.class)
    void startListening() {
        if (listening.compareAndSet(false, true)) {
            Thread.ofVirtual().name("delivery-wake-ups").start(this::listenUntilStopped);
        }
    }

    private void listenUntilStopped() {
        while (!stopped) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN " + CHANNEL);
                }
                // Reflection keeps the driver a runtime-only dependency of the build.
                Class<?> pgConnectionType = Class.forName("org.postgresql.PGConnection");
                Object pg = connection.unwrap(pgConnectionType);
                Method notifications = pgConnectionType.getMethod("getNotifications", int.class);
                while (!stopped) {
                    Object[] received = (Object[]) notifications.invoke(pg, 1_000);
                    if (received != null) {
                        for (Object notification : received) {
                            String payload = (String) notification
                                    .getClass()
                                    .getMethod("getParameter")
                                    .invoke(notification);
                            for (String memberId : payload.split(",")) {
                                dispatcher.request(memberId);
                            }
                        }
                    }
                }
            } catch (Exception e) {
                if (stopped) {
                    return;
                }
                log.debug(
                        "Listening for deliveries failed, retrying: {}",
                        e.getClass().getSimpleName());
                try {
                    Thread.sleep(RETRY);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static List<String> payloads(Collection<String> memberIds) {
        List<String> payloads = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String id : memberIds) {
            if (!current.isEmpty() && current.length() + 1 + id.length() > MAX_PAYLOAD) {
                payloads.add(current.toString());
                current.setLength(0);
            }
            if (!current.isEmpty()) {
                current.append(',');
            }
            current.append(id);
        }
        if (!current.isEmpty()) {
            payloads.add(current.toString());
        }
        return payloads;
    }

    @Override
    public void destroy() {
        stopped = true;
    }
}
