package com.claudemesh.broker.db;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * A queue written in batches: whatever arrived while the previous batch was being written becomes
 * the next batch. Under load a batch grows by itself to fill the time of one commit, so the database
 * sees a few large transactions instead of many small ones; when idle a lone item is written at
 * once, without waiting for company. With one thread the order in which items were added is the
 * order in which they are written. The threads are platform threads: every session's virtual
 * threads wait on them, so their database round trips must not queue behind those for a carrier.
 *
 * <p>The one failure policy of every group commit:
 *
 * <ol>
 *   <li>A batch is written in one go ({@link Batch#commit}): one statement or one transaction, so
 *       when it throws, none of its items was written.
 *   <li>If it threw because the database cannot be reached (no pooled connection, the connection
 *       lost), writing the items one by one would only wait as long again for each. With {@link
 *       WhileUnavailable#FAIL} every item fails at once — its caller is waiting and can be answered
 *       (a client retries) — and so does every item queued meanwhile, which would otherwise wait
 *       for a connection as long again, batch after batch, while its caller gives up; with {@link
 *       WhileUnavailable#RETRY} the batch is queued again {@link #RETRY_DELAY} later — items that
 *       must not be lost — while the threads go on with the rest. The failure is reported to {@link
 *       Reachability}; while the database is known down, a batch is not tried at all but fails or is
 *       queued again at once, so no caller waits a pool timeout for an answer known in advance.
 *   <li>If it threw for another reason, one item may be at fault: each item is written alone, and
 *       only an item that fails alone fails.
 *   <li>After a commit {@link Batch#committed} runs once for the batch and is never retried, so
 *       nothing committed is written twice.
 *   <li>{@link #stop} writes what is queued; items still queued or waiting for a retry after that
 *       fail, so no caller waits for ever.
 * </ol>
 *
 * <p>The size of every batch is recorded as {@code broker_group_commit_batch_size{queue=name}}: how
 * far batching carries the load (1 when idle, growing under load, {@code maxWeight} at saturation).
 */
public final class GroupCommit<T, R> {

    /** How a feature writes its items. */
    public interface Batch<T, R> {

        /** Writes the items in one go; throws when none of them was written. */
        R commit(List<T> items);

        /** After {@code items} were committed (answers, pushes, wake-ups). Runs once, never retried. */
        void committed(List<T> items, R result);

        /** The item was not written and will not be. */
        void failed(T item, RuntimeException cause);
    }

    /** What becomes of a batch that found no database. */
    public enum WhileUnavailable {
        FAIL,
        RETRY
    }

    public static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String name;
    private final ToIntFunction<T> weight;
    private final int maxWeight;
    private final WhileUnavailable whileUnavailable;
    private final Reachability reachability;
    private final Batch<T, R> batch;
    private final DistributionSummary batchSizes;
    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final DelayQueue<Deferred<T>> deferred = new DelayQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    /**
     * {@code weight} of an item (e.g. its rows); a batch holds at most {@code maxWeight}, but always
     * one item. {@code threads} batches are written at once (order is kept only with one).
     */
    public GroupCommit(
            String name,
            int threads,
            ToIntFunction<T> weight,
            int maxWeight,
            WhileUnavailable whileUnavailable,
            Reachability reachability,
            Batch<T, R> batch,
            MeterRegistry registry) {
        this.name = name;
        this.weight = weight;
        this.maxWeight = maxWeight;
        this.whileUnavailable = whileUnavailable;
        this.reachability = reachability;
        this.batch = batch;
        this.batchSizes = DistributionSummary.builder("broker.group.commit.batch.size")
                .description("Items written together by one group commit, by queue")
                .tag("queue", name)
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000)
                .register(registry);
        for (int i = 0; i < threads; i++) {
            this.threads.add(Thread.ofPlatform()
                    .name(threads == 1 ? name : name + "-" + i)
                    .daemon()
                    .start(this::run));
        }
    }

    /** Whether {@code failure} means the database could not be reached: nothing was written. */
    public static boolean unavailable(Throwable failure) {
        return failure instanceof DataAccessResourceFailureException
                || failure instanceof CannotCreateTransactionException;
    }

    /** {@code false} once stopped: the item will never be written. */
    public boolean add(T item) {
        if (stopped) {
            return false;
        }
        queue.add(item);
        return true;
    }

    /** Writes what is queued, then ends; waits at most {@code wait}. Whatever is left fails. */
    public void stop(Duration wait) {
        stopped = true;
        long deadline = System.nanoTime() + wait.toNanos();
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        IllegalStateException shuttingDown = new IllegalStateException("the broker is shutting down");
        List<T> left = new ArrayList<>();
        queue.drainTo(left);
        for (Deferred<T> retry : deferred) {
            left.addAll(retry.items());
        }
        deferred.clear();
        left.forEach(item -> failed(item, shuttingDown));
    }

    private void run() {
        while (true) {
            for (Deferred<T> due; (due = deferred.poll()) != null; ) {
                queue.addAll(due.items());
            }
            T first;
            try {
                first = queue.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                if (stopped) {
                    return;
                }
                continue;
            }
            List<T> items = next(first);
            batchSizes.record(items.size());
            write(items);
        }
    }

    private List<T> next(T first) {
        List<T> items = new ArrayList<>();
        items.add(first);
        int total = weight.applyAsInt(first);
        for (T next = queue.peek(); next != null; next = queue.peek()) {
            int w = weight.applyAsInt(next);
            if (total + w > maxWeight) {
                break;
            }
            T taken = queue.poll();
            if (taken == null) {
                break;
            }
            items.add(taken);
            total += w;
        }
        return items;
    }

    private void write(List<T> items) {
        if (reachability.knownDown()) {
            unavailable(items, Reachability.knownDownFailure(), false);
            return;
        }
        R result;
        try {
            result = batch.commit(items);
        } catch (RuntimeException e) {
            if (unavailable(e)) {
                reachability.failed(e);
                unavailable(items, e, true);
            } else if (items.size() > 1) {
                items.forEach(item -> write(List.of(item)));
            } else {
                log.atWarn()
                        .addKeyValue("queue", name)
                        .log("An item could not be written: {}", LoggableFailure.describe(e));
                failed(items.getFirst(), e);
            }
            return;
        }
        try {
            batch.committed(items, result);
        } catch (RuntimeException e) {
            log.atError()
                    .addKeyValue("queue", name)
                    .setCause(e)
                    .log("Completing a committed batch failed: {}", e.getClass().getSimpleName());
        }
    }

    /** Rule 2; {@code tried}: the batch met the failure itself (logged), else it was known before. */
    private void unavailable(List<T> items, RuntimeException cause, boolean tried) {
        if (tried) {
            log.atWarn()
                    .addKeyValue("queue", name)
                    .log(
                            "{} item(s) not written, the database is unavailable{}: {}",
                            items.size(),
                            whileUnavailable == WhileUnavailable.RETRY ? "; retrying" : "",
                            LoggableFailure.describe(cause));
        }
        if (whileUnavailable == WhileUnavailable.RETRY && !stopped) {
            deferred.add(new Deferred<>(List.copyOf(items), System.nanoTime() + RETRY_DELAY.toNanos()));
        } else {
            List<T> waiting = new ArrayList<>(items);
            queue.drainTo(waiting);
            waiting.forEach(item -> failed(item, cause));
        }
    }

    private void failed(T item, RuntimeException cause) {
        try {
            batch.failed(item, cause);
        } catch (RuntimeException e) {
            log.atError()
                    .addKeyValue("queue", name)
                    .setCause(e)
                    .log("Reporting a failed item failed: {}", e.getClass().getSimpleName());
        }
    }

    /** Items of a batch that found no database, due again at {@code dueNanos}. */
    private record Deferred<T>(List<T> items, long dueNanos) implements Delayed {

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
