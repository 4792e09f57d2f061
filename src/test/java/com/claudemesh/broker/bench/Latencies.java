package com.claudemesh.broker.bench;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Every sample of one latency, kept whole (a run has at most a few hundred thousand) so that the
 * percentiles are exact rather than bucketed.
 */
final class Latencies {

    /** Percentiles in milliseconds; all zero when there is no sample. */
    record Summary(long count, double p50, double p95, double p99, double max) {}

    private long[] nanos = new long[1024];
    private long[] starts = new long[1024];
    private int size;

    /** One sample: from {@code startNanos} to {@code endNanos} ({@link System#nanoTime}). */
    synchronized void record(long startNanos, long endNanos) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
            starts = Arrays.copyOf(starts, size * 2);
        }
        starts[size] = startNanos;
        nanos[size++] = endNanos - startNanos;
    }

    /**
     * Every sample as a CSV row {@code kind,start_epoch_ms,latency_ms}, in recording order; the start
     * on the wall clock ({@code originNanos} was {@code originEpochMillis}), so that samples line up
     * with what other tools saw at the same moment (vmstat, pg_stat_activity).
     */
    synchronized void writeCsv(Appendable out, String kind, long originNanos, long originEpochMillis)
            throws IOException {
        for (int i = 0; i < size; i++) {
            double start = originEpochMillis + (starts[i] - originNanos) / 1e6;
            out.append(kind)
                    .append(',')
                    .append(String.format(Locale.ROOT, "%.3f", start))
                    .append(',')
                    .append(String.format(Locale.ROOT, "%.3f", nanos[i] / 1e6))
                    .append('\n');
        }
    }

    synchronized Summary summary() {
        if (size == 0) {
            return new Summary(0, 0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        return new Summary(
                size, millis(sorted, 0.50), millis(sorted, 0.95), millis(sorted, 0.99), sorted[size - 1] / 1e6);
    }

    /** Nearest-rank percentile. */
    private static double millis(long[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
