package com.claudemesh.broker.bench;

import com.claudemesh.broker.bench.BenchMesh.BenchMember;
import com.claudemesh.broker.support.RawWebSocket;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * The load generator of issue 5: creates a mesh and its members in the broker's database, connects
 * one session per member to {@code ws://127.0.0.1:<port>/ws} and runs one scenario with real
 * protocol frames and real crypto. Started by {@code ops/bench.sh} as a plain JVM, apart from the
 * broker and from Maven, so that its own CPU is measured and reported separately.
 */
public final class LoadGenerator {

    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    /** The exit after the global timeout must not hang on sockets that never close. */
    private static final Duration HARD_STOP_GRACE = Duration.ofSeconds(30);

    private final BenchOptions options;
    private final long deadlineNanos;
    private final JsonMapper json = JsonMapper.builder().build();

    private LoadGenerator(BenchOptions options) {
        this.options = options;
        this.deadlineNanos = System.nanoTime() + options.timeout().toNanos();
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        Thread.ofPlatform().daemon().name("bench-hard-stop").start(() -> {
            try {
                Thread.sleep(options.timeout().plus(HARD_STOP_GRACE));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("bench: global timeout passed and the run did not stop; exiting");
            Runtime.getRuntime().halt(3);
        });
        LoadGenerator generator = new LoadGenerator(options);
        BenchReport report;
        try {
            for (BenchOptions.Warmup warmup : options.warmups()) {
                BenchReport done = new LoadGenerator(warmup.run()).run();
                System.out.println("warm-up: " + warmup.label() + ", "
                        + (done.ok() ? "all delivered" : "NOT all delivered") + " (not reported)");
            }
            report = generator.run();
        } catch (SQLException e) {
            // Setting up the mesh is the first thing that touches the database: a missing schema
            // means the broker is not running against it (or has not migrated it yet). A batch
            // error's own message quotes the rows, root keys included: only the cause is printed.
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            System.err.println("bench: cannot prepare the mesh: "
                    + cause.getMessage().lines().findFirst().orElse("")
                    + " (is the broker running against this database?)");
            System.exit(2);
            return;
        }
        System.out.print(report.table());
        Path file = options.jsonFile() != null
                ? options.jsonFile()
                : Path.of("target", "bench", options.scenarioName() + "-" + FILE_TIME.format(Instant.now()) + ".json");
        report.writeJson(file, generator.json);
        System.out.println("JSON report: " + file.toAbsolutePath());
        System.exit(report.ok() ? 0 : 1);
    }

    /** Runs the scenario of {@code options} and reports; used by the command and by the smoke test. */
    static BenchReport run(BenchOptions options) throws Exception {
        return new LoadGenerator(options).run();
    }

    private BenchReport run() throws Exception {
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        BenchCrypto crypto = new BenchCrypto();
        BenchMesh mesh = BenchMesh.create(options.databaseUrl(), options.meshes(), options.peers(), crypto);
        Ledger ledger = new Ledger(options.peers(), options.payloadBytes());
        Map<String, Integer> indexByPubkey = new HashMap<>();
        for (BenchMember member : mesh.members()) {
            indexByPubkey.put(member.keys().publicKeyHex(), member.index());
        }
        BenchPeer.Context context = new BenchPeer.Context(
                crypto,
                ledger,
                mesh,
                Map.copyOf(indexByPubkey),
                options.scenario() == BenchOptions.Scenario.BROADCAST,
                json);
        List<BenchPeer> peers = new ArrayList<>(options.peers());
        List<IdleSession> idlers = new ArrayList<>();
        for (BenchMember member : mesh.members()) {
            if (options.scenario() == BenchOptions.Scenario.IDLE) {
                idlers.add(new IdleSession(member, crypto, ledger, json));
            } else {
                peers.add(new BenchPeer(member, context, options.window()));
            }
        }
        List<? extends BenchSession> sessionsOfRun = options.scenario() == BenchOptions.Scenario.IDLE ? idlers : peers;
        try (ProcessSampler broker = options.brokerPid() > 0 ? new ProcessSampler(options.brokerPid()) : null;
                ProcessSampler self = new ProcessSampler(ProcessHandle.current().pid())) {
            DatabaseActivity database = new DatabaseActivity(options.databaseUrl());
            DatabaseActivity.Counters databaseBefore = database.read();
            Thread analyzer = options.analyzeEvery().isZero() ? null : startAnalyzer(database);
            BenchReport.Sessions sessions = options.scenario() == BenchOptions.Scenario.IDLE
                    ? connect(idlers, idler -> idler.connect(options.port(), options.helloTimeout()), ledger)
                    : connect(peers, peer -> peer.connect(options.port(), options.helloTimeout()), ledger);
            long sendStart = System.nanoTime();
            long sendEnd = sendStart;
            // A messaging run needs every peer; an idle run measures what did connect.
            boolean runnable = sessions.failed() == 0 || options.scenario() == BenchOptions.Scenario.IDLE;
            if (runnable && !expired()) {
                switch (options.scenario()) {
                    case BURST -> burst(peers);
                    case RATE -> rate(peers);
                    case BROADCAST -> broadcast(peers);
                    case IDLE -> idle();
                }
                sendEnd = System.nanoTime();
                drain(ledger);
            }
            ProcessSampler.Usage brokerUsage = broker == null ? null : broker.usage();
            ProcessSampler.Usage selfUsage = self.usage();
            int closedByBroker =
                    (int) sessionsOfRun.stream().filter(p -> !p.open()).count() - sessions.failed();
            boolean timedOut = expired();
            if (analyzer != null) {
                analyzer.interrupt();
            }
            closeAll(sessionsOfRun);
            // one publishing interval of PostgreSQL's statistics, so the last second is counted
            Thread.sleep(1100);
            DatabaseActivity.Counters databaseWork = database.read().minus(databaseBefore);
            if (options.latencyCsv() != null) {
                writeLatencies(ledger, options.latencyCsv());
            }
            return report(
                    startedAt,
                    mesh,
                    ledger,
                    sessions,
                    closedByBroker,
                    sendStart,
                    sendEnd,
                    brokerUsage,
                    selfUsage,
                    databaseWork,
                    timedOut);
        }
    }

    private Thread startAnalyzer(DatabaseActivity database) {
        return Thread.ofPlatform().daemon().name("bench-analyze").start(() -> {
            while (true) {
                try {
                    Thread.sleep(options.analyzeEvery());
                    database.analyze();
                } catch (InterruptedException e) {
                    return;
                } catch (SQLException e) {
                    System.err.println("bench: ANALYZE failed: " + e.getMessage());
                }
            }
        });
    }

    private boolean expired() {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /** Connects every session with at most {@code connect-concurrency} handshakes in flight. */
    private <S extends BenchSession> BenchReport.Sessions connect(
            List<S> sessions, Function<S, CompletableFuture<Long>> connector, Ledger ledger)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(options.connectConcurrency());
        Latencies hello = new Latencies();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong lastAck = new AtomicLong();
        List<CompletableFuture<?>> all = new ArrayList<>(sessions.size());
        long start = System.nanoTime();
        for (S session : sessions) {
            if (!inFlight.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                failed.incrementAndGet();
                ledger.error("connect_deadline");
                continue;
            }
            all.add(connector.apply(session).whenComplete((nanos, failure) -> {
                inFlight.release();
                if (failure != null) {
                    failed.incrementAndGet();
                    ledger.error(connectFailure(failure));
                } else {
                    long now = System.nanoTime();
                    hello.record(now - nanos, now);
                    lastAck.accumulateAndGet(System.nanoTime(), Math::max);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .exceptionally(failure -> null)
                .join();
        int connected = sessions.size() - failed.get();
        double seconds = Math.max(1, lastAck.get() - start) / 1e9;
        return new BenchReport.Sessions(
                sessions.size(), connected, failed.get(), connected / seconds, hello.summary(), 0);
    }

    /** A short cause for the error table: a timeout, a refusal by the broker, or the exception's kind. */
    private static String connectFailure(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException) {
            return "hello_timeout";
        }
        if (cause instanceof RawWebSocket.HandshakeRefused) {
            return "handshake_refused";
        }
        if (cause instanceof BenchPeer.HelloRefused) {
            return "hello_closed";
        }
        return "connect_" + cause.getClass().getSimpleName();
    }

    /** Every peer sends {@code messages} direct messages to random others, {@code window} unacked at most. */
    private void burst(List<BenchPeer> peers) throws InterruptedException {
        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (BenchPeer peer : peers) {
                senders.submit(() -> {
                    SplittableRandom random = new SplittableRandom(options.seed() * 7919 + peer.index());
                    for (int seq = 0; seq < options.messages(); seq++) {
                        if (!peer.awaitWindow(deadlineNanos)) {
                            return null;
                        }
                        peer.sendDirect(seq, peers.get(otherThan(peer.index(), peers.size(), random)));
                    }
                    return null;
                });
            }
        }
    }

    /**
     * Open loop: message i leaves at start + i/R whatever the acks do, so latency under load is not
     * hidden by a sender that waits (no coordinated omission). Senders take turns round-robin.
     */
    private void rate(List<BenchPeer> peers) {
        long total = (long) options.rate() * options.duration().toSeconds();
        int[] seqs = new int[peers.size()];
        SplittableRandom random = new SplittableRandom(options.seed());
        long start = System.nanoTime();
        long sent = 0;
        while (sent < total && !expired()) {
            long due = Math.min(total, (System.nanoTime() - start) * options.rate() / 1_000_000_000L + 1);
            for (; sent < due; sent++) {
                BenchPeer peer = peers.get((int) (sent % peers.size()));
                peer.sendDirect(seqs[peer.index()]++, peers.get(otherThan(peer.index(), peers.size(), random)));
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /** Peer 0 sends {@code broadcasts} broadcasts to everyone else, {@code window} unacked at most. */
    private void broadcast(List<BenchPeer> peers) throws InterruptedException {
        BenchPeer sender = peers.getFirst();
        for (int seq = 0; seq < options.broadcasts(); seq++) {
            if (!sender.awaitWindow(deadlineNanos)) {
                return;
            }
            sender.sendBroadcast(seq, peers.size());
        }
    }

    /** Sessions only hold their sockets; the broker's pings and the sessions' pongs are the only traffic. */
    private void idle() throws InterruptedException {
        long until =
                Math.min(deadlineNanos, System.nanoTime() + options.duration().toNanos());
        while (System.nanoTime() - until < 0) {
            Thread.sleep(Math.min(1000, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Waits until every ack and every expected delivery has arrived, or the drain timeout. */
    private void drain(Ledger ledger) throws InterruptedException {
        long until = Math.min(
                deadlineNanos, System.nanoTime() + options.drainTimeout().toNanos());
        while (!ledger.allDelivered() && System.nanoTime() - until < 0) {
            Thread.sleep(5);
        }
    }

    private static int otherThan(int self, int count, SplittableRandom random) {
        int other = random.nextInt(count - 1);
        return other >= self ? other + 1 : other;
    }

    private static void closeAll(List<? extends BenchSession> sessions) {
        List<CompletableFuture<Integer>> closes = new ArrayList<>(sessions.size());
        for (BenchSession session : sessions) {
            closes.add(session.close(Duration.ofSeconds(5)));
        }
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new))
                .exceptionally(failure -> null)
                .join();
    }

    private BenchReport report(
            Instant startedAt,
            BenchMesh mesh,
            Ledger ledger,
            BenchReport.Sessions sessions,
            int closedByBroker,
            long sendStart,
            long sendEnd,
            ProcessSampler.Usage broker,
            ProcessSampler.Usage self,
            DatabaseActivity.Counters databaseWork,
            boolean timedOut) {
        long sent = ledger.sends.get();
        long expected = ledger.expected.get();
        long delivered = ledger.delivered.get();
        long first = sent == 0 ? sendStart : ledger.firstSendNanos();
        long last = ledger.lastDeliveryNanos();
        boolean complete = sent > 0 && ledger.allDelivered();
        double deliverySeconds = last > first ? (last - first) / 1e9 : 0;
        BenchReport.Timing timing = new BenchReport.Timing(
                round((sendEnd - first) / 1e9),
                complete ? round(deliverySeconds) : null,
                deliverySeconds > 0 ? round(delivered / deliverySeconds) : 0);
        BenchReport.Messages messages = new BenchReport.Messages(
                sent,
                ledger.acks.get(),
                ledger.rejects.get(),
                ledger.inFlight(),
                expected,
                delivered,
                expected == 0 ? 100.0 : round(100.0 * delivered / expected),
                ledger.duplicates.get(),
                ledger.corrupt.get(),
                ledger.outOfOrder.get());
        return new BenchReport(
                options.scenarioName(),
                mesh.runId(),
                startedAt.toString(),
                parameters(),
                new BenchReport.Sessions(
                        sessions.requested(),
                        sessions.connected(),
                        sessions.failed(),
                        round(sessions.hellosPerSecond()),
                        sessions.hello(),
                        closedByBroker),
                messages,
                ledger.ackLatency.summary(),
                ledger.e2eLatency.summary(),
                timing,
                broker,
                self,
                BenchReport.CpuPerDelivery.of(broker, self, delivered),
                databaseWork,
                ledger.errors(),
                timedOut);
    }

    private Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("peers", options.peers());
        switch (options.scenario()) {
            case BURST -> {
                p.put("messages", options.messages());
                p.put("window", options.window());
            }
            case RATE -> {
                p.put("rate", options.rate());
                p.put("durationSeconds", options.duration().toSeconds());
            }
            case BROADCAST -> {
                p.put("broadcasts", options.broadcasts());
                p.put("window", options.window());
            }
            case IDLE -> {
                p.put("durationSeconds", options.duration().toSeconds());
                p.put("meshes", options.meshes());
            }
        }
        if (options.scenario() != BenchOptions.Scenario.IDLE) {
            p.put("payloadBytes", options.payloadBytes());
        }
        if (!options.analyzeEvery().isZero()) {
            p.put("analyzeEverySeconds", options.analyzeEvery().toSeconds());
        }
        if (options.warmup() > 0) {
            p.put("warmupMessagesPerPeer", options.warmup());
            p.put("warmupRounds", options.warmupRounds());
        }
        if (!options.rateWarmup().isZero()) {
            p.put("warmupSeconds", options.rateWarmup().toSeconds());
        }
        if (options.broadcastWarmup() > 0) {
            p.put("warmupBroadcasts", options.broadcastWarmup());
        }
        return p;
    }

    /** {@code --latency-csv}: every ack and every delivery of the run, by the time its send left. */
    private static void writeLatencies(Ledger ledger, Path file) throws IOException {
        long originNanos = System.nanoTime();
        long originEpochMillis = System.currentTimeMillis();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("kind,sent_epoch_ms,latency_ms\n");
            ledger.ackLatency.writeCsv(out, "ack", originNanos, originEpochMillis);
            ledger.e2eLatency.writeCsv(out, "delivery", originNanos, originEpochMillis);
        }
        System.out.println("latency samples: " + file.toAbsolutePath());
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
