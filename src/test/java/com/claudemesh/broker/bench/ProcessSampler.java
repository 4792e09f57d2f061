package com.claudemesh.broker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory and CPU time of a process, read from {@code /proc/<pid>} every 100 ms while a run
 * lasts. CPU is the difference of utime+stime between start and stop, so start-up work of the
 * broker does not count; memory is the highest VmRSS seen and the kernel's VmHWM.
 */
final class ProcessSampler implements AutoCloseable {

    /** Usage over the sampled interval; {@code available} is false when /proc could not be read. */
    record Usage(boolean available, long peakRssKb, long highWaterMarkKb, double cpuSeconds) {}

    /** USER_HZ: 100 on every Linux the broker targets (x86-64 and arm64 kernels). */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private final long pid;
    private final long startTicks;
    private volatile long peakRssKb;
    private final Thread thread;

    ProcessSampler(long pid) {
        this.pid = pid;
        this.startTicks = cpuTicks();
        this.peakRssKb = statusKb("VmRSS:");
        this.thread = Thread.ofPlatform().daemon().name("sampler-" + pid).start(this::loop);
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            peakRssKb = Math.max(peakRssKb, statusKb("VmRSS:"));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Usage from construction until now; sampling goes on until {@link #close()}. */
    Usage usage() {
        long ticks = cpuTicks();
        long rss = Math.max(peakRssKb, statusKb("VmRSS:"));
        if (ticks < 0 || startTicks < 0) {
            return new Usage(false, 0, 0, 0);
        }
        return new Usage(true, rss, statusKb("VmHWM:"), (ticks - startTicks) / CLOCK_TICKS_PER_SECOND);
    }

    @Override
    public void close() {
        thread.interrupt();
    }

    private long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name may hold spaces and parentheses: fields are counted after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
