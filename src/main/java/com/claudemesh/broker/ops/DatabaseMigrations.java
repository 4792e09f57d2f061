package com.claudemesh.broker.ops;

import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs the Flyway migrations without making start-up depend on the database: when PostgreSQL does
 * not answer, the broker starts anyway (serving a degraded /health) and keeps retrying with backoff
 * until the migrations have run. A migration that fails for any other reason stops start-up: the
 * broker must never run against a schema it does not understand.
 */
@Component
class DatabaseMigrations implements FlywayMigrationStrategy {

    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(DatabaseMigrations.class);

    private final ApplicationEventPublisher events;
    private final AtomicBoolean migrated = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Flyway pending;

    DatabaseMigrations(ApplicationEventPublisher events) {
        this.events = events;
    }

    @Override
    public void migrate(Flyway flyway) {
        try {
            flyway.migrate();
            migrated.set(true);
        } catch (RuntimeException e) {
            if (!isUnreachable(e)) {
                throw e;
            }
            log.warn("PostgreSQL is unreachable at start-up; migrations will run when it answers");
            pending = flyway;
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    void onStarted() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        if (migrated.get()) {
            events.publishEvent(new SchemaReadyEvent());
        } else if (pending != null) {
            Thread.ofVirtual().name("flyway-retry").start(this::retryUntilMigrated);
        }
    }

    boolean schemaReady() {
        return migrated.get();
    }

    private void retryUntilMigrated() {
        Duration wait = FIRST_RETRY;
        while (!migrated.get()) {
            try {
                Thread.sleep(wait);
                pending.migrate();
                migrated.set(true);
                log.info("PostgreSQL answers; migrations are up to date");
                events.publishEvent(new SchemaReadyEvent());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!isUnreachable(e)) {
                    log.error("Migrating the database failed: {}", e.getMessage());
                }
                wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
            }
        }
    }

    static boolean isUnreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
            if (t.getClass().getName().equals("com.zaxxer.hikari.pool.HikariPool$PoolInitializationException")
                    || t instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }
}
