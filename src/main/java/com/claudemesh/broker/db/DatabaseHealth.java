package com.claudemesh.broker.db;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Whether PostgreSQL answers: for {@code /health} and {@code broker_db_healthy}, and, as {@link
 * Reachability}, for every writer that would otherwise wait for it. A probe is {@code SELECT 1} with
 * a 1 s bound, at most one in flight: while the database hangs, callers share that probe instead of
 * piling up blocked threads. A result is reused for a second (measured on the monotonic clock: this
 * is caching, not business time), so scrapes cost nothing extra.
 *
 * <p>For writers, slow is not down: the database is known down only after a failure to reach it —
 * a write that found no connection, or a probe that ended so — and known up again after the next
 * probe that answers. A probe starts with the failure, and while it is down the writers that ask
 * start another in the background at most every second, so its return is seen at once or within
 * about a second.
 */
@Component
public class DatabaseHealth implements Reachability {

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration REUSE_FOR = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);

    private final JdbcTemplate jdbc;
    private CompletableFuture<Boolean> inFlight;
    private volatile boolean up;

    private volatile long checkedAtNanos = System.nanoTime() - REUSE_FOR.toNanos();
    private volatile boolean unreachable;
    private boolean reportedDown;

    DatabaseHealth(JdbcTemplate jdbc, MeterRegistry registry) {
        this.jdbc = jdbc;
        Gauge.builder("broker.db.healthy", this, health -> health.up ? 1 : 0)
                .description("1 when PostgreSQL answers within 1 s, else 0")
                .register(registry);
    }

    /** Whether the database answered a probe within the last second (probing now if needed). */
    public boolean isUp() {
        if (fresh()) {
            return up;
        }
        CompletableFuture<Boolean> probe = probe();
        try {
            return probe.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            record(false);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public boolean knownDown() {
        if (!unreachable) {
            return false;
        }
        if (!fresh()) {
            probe();
        }
        return true;
    }

    @Override
    public void failed(Throwable failure) {
        if (GroupCommit.unavailable(failure)) {
            unreachable = true;
            record(false);
            // At once, so the database is known up again as soon as a connection can be had.
            probe();
        }
    }

    @Scheduled(fixedDelay = 5, timeUnit = TimeUnit.SECONDS)
    void refresh() {
        isUp();
    }

    private boolean fresh() {
        return System.nanoTime() - checkedAtNanos < REUSE_FOR.toNanos();
    }

    /** The probe in flight, or a new one; it records its own result when it ends. */
    private synchronized CompletableFuture<Boolean> probe() {
        if (inFlight == null || inFlight.isDone()) {
            inFlight = CompletableFuture.supplyAsync(
                    () -> Integer.valueOf(1).equals(jdbc.queryForObject("SELECT 1", Integer.class)),
                    runnable -> Thread.ofVirtual().name("db-probe").start(runnable));
            inFlight.whenComplete((answered, failure) -> {
                if (failure == null) {
                    unreachable = false;
                    record(answered);
                } else {
                    // The next probe is the callers' to start: never one straight after another.
                    if (GroupCommit.unavailable(failure.getCause() != null ? failure.getCause() : failure)) {
                        unreachable = true;
                    }
                    record(false);
                }
            });
        }
        return inFlight;
    }

    private synchronized void record(boolean answered) {
        up = answered;
        checkedAtNanos = System.nanoTime();
        if (!answered && !reportedDown) {
            reportedDown = true;
            log.warn("PostgreSQL does not answer; serving degraded until it returns");
        } else if (answered && reportedDown) {
            reportedDown = false;
            log.info("PostgreSQL answers again");
        }
    }
}
