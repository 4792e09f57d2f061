package com.claudemesh.broker.support;

import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.BrokerApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker in an operating-system process of its own, started from the test classpath, for tests
 * in which the broker must really die: {@link #kill} sends SIGKILL, so nothing of the broker runs
 * after it (no shutdown step, no last write, no close frame). The command line is {@link
 * StandaloneBroker#arguments}'s on a port the test chooses (a restarted broker binds the port of the
 * one that died); everything the process prints goes to a file under target/ for diagnosis.
 */
public final class BrokerProcess implements AutoCloseable {

    /**
     * Start-up is most of a crash test's time on a loaded two-core machine: the client compiler alone
     * starts the broker in about half the time and is fast enough for a few thousand messages; one
     * GC thread leaves the cores to the broker and the tests.
     */
    private static final List<String> JVM_OPTIONS =
            List.of("--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m");

    private static final Duration EXIT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private BrokerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a broker on {@code db} and {@code port} with {@code settings} ({@code name=value}); see {@link #awaitHealthy}. */
    public static BrokerProcess start(TestDatabase.Endpoint db, int port, Path log, String... settings)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BrokerApplication.class.getName());
        List<String> all = new ArrayList<>(List.of(settings));
        all.add("server.port=" + port);
        command.addAll(List.of(StandaloneBroker.arguments(db, all.toArray(String[]::new))));
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new BrokerProcess(process, port, log);
    }

    /** A port nobody listens on now, for a broker and later its successor. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    /** Waits until {@code /health} answers 200 (database reachable, schema migrated); fails at once if the process ended. */
    public void awaitHealthy(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError(
                        "the broker exited with " + process.exitValue() + " before it was healthy:\n" + tail());
            }
            return healthStatus() == 200;
        });
    }

    /** SIGKILL, then waits for the process to be gone; returns its exit status (137 for death by SIGKILL). */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(EXIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(
                    "the broker (pid " + process.pid() + ") is still alive " + EXIT + " after SIGKILL");
        }
        return process.exitValue();
    }

    /** Clean-up: the process is killed as well, it holds nothing a test still needs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private int healthStatus() {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                    .timeout(Duration.ofSeconds(2))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
