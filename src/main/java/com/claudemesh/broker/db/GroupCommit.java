package com.claudemesh.broker.db;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue written by one thread in batches: whatever arrived while the previous batch was being
 * written becomes the next batch. Under load a batch grows by itself to fill the time of one
 * commit, so the database sees a few large transactions instead of many small ones; when idle a
 * lone item is written at once, without waiting for company. One thread also keeps the order in
 * which items were added. It is a platform thread: every session's virtual threads wait on it, so
 * its database round trips must not queue behind them for a carrier thread.
 *
 * <p>The size of every batch is recorded as {@code broker_group_commit_batch_size{queue=name}}: how
 * far batching carries the load (1 when idle, growing under load, {@code maxWeight} at saturation).
 */
public final class GroupCommit<T> {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final ToIntFunction<T> weight;
    private final int maxWeight;
    private final Consumer<List<T>> writer;
    private final DistributionSummary batchSizes;
    private final Thread thread;
    private volatile boolean stopped;

    /** {@code weight} of an item (e.g. its rows); a batch holds at most {@code maxWeight}, but always one item. */
    public GroupCommit(
            String name, ToIntFunction<T> weight, int maxWeight, Consumer<List<T>> writer, MeterRegistry registry) {
        this.weight = weight;
        this.maxWeight = maxWeight;
        this.writer = writer;
        this.batchSizes = DistributionSummary.builder("broker.group.commit.batch.size")
                .description("Items written together by one group commit, by queue")
                .tag("queue", name)
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000)
                .register(registry);
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** {@code false} once stopped: the item will never be written. */
    public boolean add(T item) {
        if (stopped) {
            return false;
        }
        queue.add(item);
        return true;
    }

    /** Writes what is queued, then ends; waits at most {@code wait}. */
    public void stop(Duration wait) {
        stopped = true;
        try {
            thread.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
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
            List<T> batch = new ArrayList<>();
            batch.add(first);
            int total = weight.applyAsInt(first);
            for (T next = queue.peek(); next != null; next = queue.peek()) {
                int w = weight.applyAsInt(next);
                if (total + w > maxWeight) {
                    break;
                }
                batch.add(queue.poll());
                total += w;
            }
            batchSizes.record(batch.size());
            try {
                writer.accept(batch);
            } catch (RuntimeException e) {
                log.error("A group commit failed unexpectedly: {}", e.getClass().getSimpleName(), e);
            }
        }
    }
}
