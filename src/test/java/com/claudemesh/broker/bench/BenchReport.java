package com.claudemesh.broker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** The outcome of one run, printed as a text table and written as JSON. */
record BenchReport(
        String scenario,
        String runId,
        String startedAt,
        Map<String, Object> parameters,
        Sessions sessions,
        Messages messages,
        Latencies.Summary ack,
        Latencies.Summary e2e,
        Timing timing,
        ProcessSampler.Usage broker,
        ProcessSampler.Usage generator,
        CpuPerDelivery cpuPerDelivery,
        DatabaseActivity.Counters database,
        Map<String, Long> errors,
        boolean timedOut) {

    record Sessions(
            int requested,
            int connected,
            int failed,
            double hellosPerSecond,
            Latencies.Summary hello,
            int closedByBroker) {}

    record Messages(
            long sent,
            long acked,
            long rejected,
            long unacked,
            long expectedDeliveries,
            long delivered,
            double deliveredPercent,
            long duplicates,
            long corrupt,
            long outOfOrder) {}

    /** Seconds from the first send: sending took {@code sendSeconds}; null when not everything arrived. */
    record Timing(double sendSeconds, Double allDeliveredSeconds, double deliveredPerSecond) {}

    /**
     * CPU time per delivered message, in microseconds, of the broker and of the generator; null
     * when that process was not sampled or nothing was delivered. The generator's figure says how
     * much of the shared cores the measuring took from the measured.
     */
    record CpuPerDelivery(Double brokerMicros, Double generatorMicros) {

        static CpuPerDelivery of(ProcessSampler.Usage broker, ProcessSampler.Usage generator, long delivered) {
            return new CpuPerDelivery(micros(broker, delivered), micros(generator, delivered));
        }

        private static Double micros(ProcessSampler.Usage usage, long delivered) {
            return usage == null || !usage.available() || delivered == 0
                    ? null
                    : Math.round(usage.cpuSeconds() * 1e7 / delivered) / 10.0;
        }
    }

    /** Everything the broker promised: all delivered, nothing twice, nothing altered, order kept. */
    boolean ok() {
        return !timedOut
                && sessions.failed() == 0
                && sessions.closedByBroker() == 0
                && messages.unacked() == 0
                && messages.delivered() == messages.expectedDeliveries()
                && messages.duplicates() == 0
                && messages.corrupt() == 0
                && messages.outOfOrder() == 0;
    }

    String table() {
        StringBuilder out = new StringBuilder();
        row(out, "scenario", scenario + "  " + parameters + "  run " + runId + "  " + startedAt);
        row(
                out,
                "sessions",
                "%d/%d connected, %d failed, %d closed by broker"
                        .formatted(
                                sessions.connected(),
                                sessions.requested(),
                                sessions.failed(),
                                sessions.closedByBroker()));
        row(
                out,
                "hello",
                "%.0f/s, p50 %s p95 %s p99 %s max %s ms"
                        .formatted(
                                sessions.hellosPerSecond(),
                                ms(sessions.hello().p50()),
                                ms(sessions.hello().p95()),
                                ms(sessions.hello().p99()),
                                ms(sessions.hello().max())));
        if (messages.sent() > 0) {
            row(
                    out,
                    "sent / acked",
                    "%d / %d (rejected %d, unacked %d)"
                            .formatted(messages.sent(), messages.acked(), messages.rejected(), messages.unacked()));
            row(
                    out,
                    "delivered",
                    "%d / %d = %.2f %%"
                            .formatted(
                                    messages.delivered(), messages.expectedDeliveries(), messages.deliveredPercent()));
            row(
                    out,
                    "duplicates / corrupt / reordered",
                    "%d / %d / %d".formatted(messages.duplicates(), messages.corrupt(), messages.outOfOrder()));
            row(
                    out,
                    "ack ms",
                    "p50 %s p95 %s p99 %s max %s"
                            .formatted(ms(ack.p50()), ms(ack.p95()), ms(ack.p99()), ms(ack.max())));
            row(
                    out,
                    "e2e ms",
                    "p50 %s p95 %s p99 %s max %s"
                            .formatted(ms(e2e.p50()), ms(e2e.p95()), ms(e2e.p99()), ms(e2e.max())));
            row(out, "sending took", "%.2f s".formatted(timing.sendSeconds()));
            row(
                    out,
                    "all delivered after",
                    timing.allDeliveredSeconds() == null
                            ? "NOT ALL DELIVERED"
                            : "%.2f s".formatted(timing.allDeliveredSeconds()));
            row(out, "throughput", "%.0f delivered/s".formatted(timing.deliveredPerSecond()));
        }
        row(out, "broker", usage(broker));
        row(out, "generator", usage(generator));
        if (messages.delivered() > 0) {
            row(
                    out,
                    "cpu per delivery",
                    "broker %s, generator %s"
                            .formatted(
                                    micros(cpuPerDelivery.brokerMicros()), micros(cpuPerDelivery.generatorMicros())));
        }
        row(
                out,
                "database (approximate)",
                "%d commits, %d rollbacks, %d rows fetched%s"
                        .formatted(
                                database.commits(),
                                database.rollbacks(),
                                database.rowsFetched(),
                                messages.delivered() > 0
                                        ? ", %.2f commits per delivery"
                                                .formatted((double) database.commits() / messages.delivered())
                                        : ""));
        row(out, "database row changes", database.rowChanges().toString());
        row(out, "errors", errors.isEmpty() ? "none" : errors.toString());
        row(out, "result", (timedOut ? "TIMED OUT, " : "") + (ok() ? "OK" : "FAILED"));
        return out.toString();
    }

    private static void row(StringBuilder out, String name, String value) {
        out.append(String.format("%-34s %s%n", name, value));
    }

    private static String ms(double value) {
        return value < 10 ? "%.2f".formatted(value) : "%.0f".formatted(value);
    }

    private static String micros(Double value) {
        return value == null ? "not sampled" : "%.0f µs".formatted(value);
    }

    private static String usage(ProcessSampler.Usage usage) {
        if (usage == null || !usage.available()) {
            return "not sampled (pass --broker-pid)";
        }
        return "peak RSS %d MB (VmHWM %d MB), CPU %.1f s"
                .formatted(usage.peakRssKb() / 1024, usage.highWaterMarkKb() / 1024, usage.cpuSeconds());
    }

    void writeJson(Path file, JsonMapper json) throws IOException {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("report", this);
        document.put("ok", ok());
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(document) + "\n");
    }
}
