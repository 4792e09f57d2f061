package com.claudemesh.broker.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one run of the load generator does. Every scenario shares the connection and reporting
 * settings; the scenario-specific counts default to the targets of issue 5 scaled down, so that an
 * option-less run is short.
 */
record BenchOptions(
        Scenario scenario,
        int port,
        String databaseUrl,
        int peers,
        int messages,
        int window,
        int rate,
        Duration duration,
        int broadcasts,
        int meshes,
        int payloadBytes,
        int connectConcurrency,
        Duration helloTimeout,
        Duration drainTimeout,
        Duration timeout,
        long brokerPid,
        Duration analyzeEvery,
        Path jsonFile,
        Path latencyCsv,
        long seed,
        int warmup,
        int warmupRounds,
        Duration rateWarmup,
        int broadcastWarmup) {

    enum Scenario {
        BURST,
        RATE,
        BROADCAST,
        IDLE
    }

    static final String USAGE = """
            usage: ops/bench.sh <burst|rate|broadcast|idle> [options]
              --port P              broker port on 127.0.0.1 (default 7950)
              --db URL              postgres://user[:pass]@127.0.0.1:5432/db of the broker (or env BENCH_DATABASE_URL)
              --peers N             members, one session each (burst 10, rate 100, broadcast 100, idle 1000);
                                    --sessions is the same option, for idle
              --messages M          burst: direct messages per peer (default 100)
              --window K            burst/broadcast: unacked sends per peer (default 32)
              --rate R              rate: total sends per second (default 2000)
              --duration S          rate: sending time; idle: holding time (default 60)
              --broadcasts B        broadcast: broadcasts of the one sender (default 1000)
              --meshes X            idle: spread the sessions over X meshes (default 1)
              --payload-bytes S     plaintext size (default 200)
              --connect-concurrency C   handshakes in flight while connecting (default 64)
              --hello-timeout S     per session (default 10)
              --drain-timeout S     wait for outstanding deliveries after the last send (default 60)
              --timeout S           global limit of the whole run (default 600)
              --broker-pid PID      sample the broker's RSS and CPU from /proc/PID
              --analyze-every S     ANALYZE the broker's queue tables every S seconds during the run, a
                                    stand-in for autovacuum where it is off (default 0: never)
              --json FILE           JSON report (default target/bench/<scenario>-<time>.json)
              --latency-csv FILE    every ack and delivery of the measured run as kind,sent_epoch_ms,latency_ms
                                    (the send's wall-clock time: lines up with vmstat -t, pg_stat_activity)
              --seed N              random target choice (default 1)
              --warmup W            before the measured run, an unreported burst of W messages per peer in
                                    a mesh of its own, in the same JVM: warms the JIT of broker and
                                    generator alike (default 0: none; not for idle)
              --warmup-rounds R     that burst R times, each in a mesh of its own with its sessions opened
                                    and closed: the broker's recompilations after its first sessions end
                                    fall before the measured run (default 1)
              --warmup-seconds S    rate: then an unreported run at the same rate for S seconds, in a mesh
                                    of its own: the JIT of both JVMs settles on the path the measured run
                                    takes (default 0: none)
              --warmup-broadcasts B broadcast: then an unreported run of B broadcasts, in a mesh of its own:
                                    the JIT settles on the fan-out the measured run takes (default 0: none)
            """;

    private static final Set<String> KEYS = Set.of(
            "port",
            "db",
            "peers",
            "messages",
            "window",
            "rate",
            "duration",
            "broadcasts",
            "meshes",
            "payload-bytes",
            "connect-concurrency",
            "hello-timeout",
            "drain-timeout",
            "timeout",
            "broker-pid",
            "analyze-every",
            "json",
            "latency-csv",
            "seed",
            "warmup",
            "warmup-rounds",
            "warmup-seconds",
            "warmup-broadcasts");

    BenchOptions {
        if (peers < 1 || messages < 0 || window < 1 || rate < 1 || broadcasts < 0 || meshes < 1) {
            throw new IllegalArgumentException("counts must be positive");
        }
        if (scenario != Scenario.IDLE && meshes != 1) {
            throw new IllegalArgumentException("--meshes only applies to idle: messages stay within one mesh");
        }
        if (scenario != Scenario.IDLE && peers < 2) {
            throw new IllegalArgumentException("a messaging scenario needs at least 2 peers");
        }
        if (warmup < 0 || (warmup > 0 && scenario == Scenario.IDLE)) {
            throw new IllegalArgumentException("--warmup must be 0 or more, and idle takes none");
        }
        if (warmupRounds < 1 || (warmupRounds > 1 && warmup == 0)) {
            throw new IllegalArgumentException("--warmup-rounds must be 1 or more, and needs --warmup");
        }
        if (rateWarmup.isNegative() || (!rateWarmup.isZero() && scenario != Scenario.RATE)) {
            throw new IllegalArgumentException("--warmup-seconds must be 0 or more, and only rate takes it");
        }
        if (broadcastWarmup < 0 || (broadcastWarmup > 0 && scenario != Scenario.BROADCAST)) {
            throw new IllegalArgumentException("--warmup-broadcasts must be 0 or more, and only broadcast takes it");
        }
        if (payloadBytes < 64 || payloadBytes > 16_384) {
            throw new IllegalArgumentException("--payload-bytes must be within 64..16384");
        }
    }

    static BenchOptions parse(String[] args, Map<String, String> env) {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new IllegalArgumentException("the first argument is the scenario");
        }
        Scenario scenario;
        try {
            scenario = Scenario.valueOf(args[0].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + arg);
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            if (key.equals("sessions")) {
                key = "peers";
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            values.put(key, value);
        }
        int defaultPeers = switch (scenario) {
            case BURST -> 10;
            case RATE, BROADCAST -> 100;
            case IDLE -> 1000;
        };
        String db = values.getOrDefault("db", env.get("BENCH_DATABASE_URL"));
        if (db == null || db.isBlank()) {
            throw new IllegalArgumentException("--db (or BENCH_DATABASE_URL) is required: the broker's database");
        }
        String json = values.get("json");
        String latencyCsv = values.get("latency-csv");
        return new BenchOptions(
                scenario,
                integer(values, "port", 7950),
                db,
                integer(values, "peers", defaultPeers),
                integer(values, "messages", 100),
                integer(values, "window", 32),
                integer(values, "rate", 2000),
                Duration.ofSeconds(integer(values, "duration", 60)),
                integer(values, "broadcasts", 1000),
                integer(values, "meshes", 1),
                integer(values, "payload-bytes", 200),
                integer(values, "connect-concurrency", 64),
                Duration.ofSeconds(integer(values, "hello-timeout", 10)),
                Duration.ofSeconds(integer(values, "drain-timeout", 60)),
                Duration.ofSeconds(integer(values, "timeout", 600)),
                Long.parseLong(values.getOrDefault("broker-pid", "0")),
                Duration.ofSeconds(integer(values, "analyze-every", 0)),
                json == null ? null : Path.of(json),
                latencyCsv == null ? null : Path.of(latencyCsv),
                Long.parseLong(values.getOrDefault("seed", "1")),
                integer(values, "warmup", 0),
                integer(values, "warmup-rounds", 1),
                Duration.ofSeconds(integer(values, "warmup-seconds", 0)),
                integer(values, "warmup-broadcasts", 0));
    }

    /** An unreported run before the measured one, and how its line in the output names it. */
    record Warmup(String label, BenchOptions run) {}

    /**
     * The warm-ups, in the order they run: the burst ({@code --warmup}, {@code --warmup-rounds}
     * times), then the scenario's own ({@code --warmup-seconds} at the rate, {@code
     * --warmup-broadcasts}).
     */
    List<Warmup> warmups() {
        List<Warmup> warmups = new ArrayList<>();
        for (int round = 0; warmup > 0 && round < warmupRounds; round++) {
            warmups.add(new Warmup("burst of " + warmup + " per peer", warmupRun()));
        }
        if (!rateWarmup.isZero()) {
            warmups.add(new Warmup(rate + "/s for " + rateWarmup.toSeconds() + " s", rateWarmupRun()));
        }
        if (broadcastWarmup > 0) {
            warmups.add(new Warmup(broadcastWarmup + " broadcasts", broadcastWarmupRun()));
        }
        return warmups;
    }

    /** The unreported warm-up run: a burst of {@code warmup} messages per peer, nothing sampled or written. */
    BenchOptions warmupRun() {
        return unreported(Scenario.BURST, warmup, duration, broadcasts, Duration.ZERO);
    }

    /**
     * The unreported warm-up at the measured rate: {@code rateWarmup} long, nothing sampled or written;
     * ANALYZE goes on as in the measured run, since it stands in for the server's autovacuum.
     */
    BenchOptions rateWarmupRun() {
        return unreported(Scenario.RATE, messages, rateWarmup, broadcasts, analyzeEvery);
    }

    /**
     * The unreported warm-up of the fan-out: {@code broadcastWarmup} broadcasts, nothing sampled or
     * written; ANALYZE as in the measured run.
     */
    BenchOptions broadcastWarmupRun() {
        return unreported(Scenario.BROADCAST, messages, duration, broadcastWarmup, analyzeEvery);
    }

    /** A run of this one's peers and limits in a mesh of its own: no sampling, no report, no warm-up. */
    private BenchOptions unreported(
            Scenario scenario, int messages, Duration duration, int broadcasts, Duration analyzeEvery) {
        return new BenchOptions(
                scenario,
                port,
                databaseUrl,
                peers,
                messages,
                window,
                rate,
                duration,
                broadcasts,
                1,
                payloadBytes,
                connectConcurrency,
                helloTimeout,
                drainTimeout,
                timeout,
                0,
                analyzeEvery,
                null,
                null,
                seed,
                0,
                1,
                Duration.ZERO,
                0);
    }

    private static int integer(Map<String, String> values, String key, int fallback) {
        String value = values.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, got " + value);
        }
    }

    /** The scenario as typed on the command line, for file names and reports. */
    String scenarioName() {
        return scenario.name().toLowerCase(Locale.ROOT);
    }
}
