package com.claudemesh.broker.bench;

import java.util.Arrays;

/**
 * Every sample of one latency, kept whole (a run has at most a few hundred thousand) so that the
 * percentiles are exact rather than bucketed.
 */
final class Latencies {

    /** Percentiles in milliseconds; all zero when there is no sample. */
    record Summary(long count, double p50, double p95, double p99, double max) {}

    private long[] nanos = new long[1024];
    private int size;

    synchronized void record(long elapsedNanos) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        nanos[size++] = elapsedNanos;
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
