package com.claudemesh.broker.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Whether PostgreSQL answers, asked with a 1 s bound. At most one probe is in flight: while the
 * database hangs, callers share that probe instead of piling up blocked threads, and a result is
 * reused for a second (measured on the monotonic clock: this is caching, not business time) so that /health and /metrics scrapes cost nothing extra.
 */
@Component
public class DatabaseHealth {

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration REUSE_FOR = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);

    private final JdbcTemplate jdbc;
    private CompletableFuture<Boolean> inFlight;
    private volatile boolean up;
    private volatile long checkedAtNanos = System.nanoTime() - REUSE_FOR.toNanos();
    private boolean reportedDown;

    DatabaseHealth(JdbcTemplate jdbc, MeterRegistry registry) {
        this.jdbc = jdbc;
        Gauge.builder("broker.db.healthy", this, health -> health.up ? 1 : 0)
                .description("1 when PostgreSQL answers within 1 s, else 0")
                .register(registry);
    }

    /** Whether the database answered a probe within the last second (probing now if needed). */
    public boolean isUp() {
        if (System.nanoTime() - checkedAtNanos < REUSE_FOR.toNanos()) {
            return up;
        }
        return probe();
    }

    @Scheduled(fixedDelay = 5, timeUnit = TimeUnit.SECONDS)
    void refresh() {
        probe();
    }

    private boolean probe() {
        CompletableFuture<Boolean> probe;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = CompletableFuture.supplyAsync(
                        () -> Integer.valueOf(1).equals(jdbc.queryForObject("SELECT 1", Integer.class)),
                        runnable -> Thread.ofVirtual().name("db-probe").start(runnable));
            }
            probe = inFlight;
        }
        boolean answered;
        try {
            answered = probe.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            answered = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answered = false;
        }
        record(answered);
        return answered;
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
