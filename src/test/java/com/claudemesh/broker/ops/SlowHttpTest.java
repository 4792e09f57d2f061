package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.RawWebSocket;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Issue 12, item 6 — slowloris on the HTTP side of the one port: a request head that stops (a
 * WebSocket handshake or any request) and a request body that stops. Tomcat's connection timeout
 * ({@code server.tomcat.connection-timeout}, 60 s by default) is what ends both; this broker runs it
 * at one second so that the test does not wait a minute, and proves the mechanism and the answers.
 */
@ExtendWith(OutputCaptureExtension.class)
class SlowHttpTest {

    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);
    /** The timeout, Tomcat's poller granularity (1 s) and room for a loaded machine. */
    private static final Duration DROPPED = Duration.ofSeconds(8);

    private static StandaloneBroker broker;

    @BeforeAll
    static void start() {
        broker = StandaloneBroker.start(
                TestDatabase.shared(),
                "server.tomcat.connection-timeout=" + CONNECTION_TIMEOUT.toMillis() + "ms",
                "logging.structured.format.console=logstash");
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void a1_aHandshakeOrRequestHeadThatStopsIsDroppedAfterTheConnectionTimeout_andNobodyElseWaits() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (String head : List.of(
                    "",
                    "GET /ws HTTP/1.1\r\n",
                    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
                    "POST /join HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Len",
                    "GET /health HT")) {
                Socket socket = RawWebSocket.tcp(broker.port());
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                stalled.add(socket);
            }

            assertThat(broker.get("/health").statusCode()).isEqualTo(200);
            try (RawWebSocket other = RawWebSocket.open(broker.port())) {
                other.sendText("{\"type\":\"send\"}");
                assertThat(other.nextText(Duration.ofSeconds(5))).contains("no_hello");
            }

            for (Socket socket : stalled) {
                assertThat(endsWithin(socket, DROPPED))
                        .as("the connection is dropped")
                        .isTrue();
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void a9_a10_api_aRequestBodyThatStopsIs408InItsSurfacesShape_andLogsNoError(CapturedOutput output)
            throws Exception {
        for (String path : List.of("/join", "/hook/set-status", "/api/meshes")) {
            try (Socket socket = RawWebSocket.tcp(broker.port())) {
                socket.setSoTimeout((int) DROPPED.toMillis());
                socket.getOutputStream()
                        .write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                        + "Authorization: Bearer " + BrokerIntegrationTest.ADMIN_TOKEN + "\r\n"
                                        + "Content-Length: 100\r\n\r\n{\"cwd\":\"/x\"")
                                .getBytes(StandardCharsets.US_ASCII));

                String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

                assertThat(response).as(path).startsWith("HTTP/1.1 408");
                String body = response.substring(response.indexOf("\r\n\r\n") + 4);
                assertThat(body.toLowerCase()).as(path).doesNotContain("exception", "java.", "tomcat", "<html");
                assertThat(body)
                        .as(path)
                        .contains(path.startsWith("/api") ? "\"code\":\"request_timeout\"" : "\"ok\":false");
            }
        }
        // A client that stops sending is no failure of the broker: nothing at ERROR level for it.
        assertThat(output.getOut().lines().filter(line -> line.contains("\"level\":\"ERROR\"")))
                .isEmpty();
    }

    @Test
    @Disabled("defect: a request head trickled one byte at a time is never dropped — Tomcat's connection timeout"
            + " counts from the last byte read, and Tomcat has no limit on the time a whole request head may take")
    void a1_aRequestHeadTrickledOneByteAtATimeIsDroppedToo() throws Exception {
        byte[] head = ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(200))
                .getBytes(StandardCharsets.US_ASCII);
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (Socket socket = RawWebSocket.tcp(broker.port())) {
            AtomicInteger sent = new AtomicInteger();
            trickle.scheduleAtFixedRate(
                    () -> {
                        int at = sent.getAndIncrement();
                        try {
                            if (at < head.length) {
                                socket.getOutputStream().write(head[at]);
                            }
                        } catch (IOException e) {
                            // dropped: what the test waits for
                        }
                    },
                    0,
                    CONNECTION_TIMEOUT.toMillis() / 3,
                    TimeUnit.MILLISECONDS);

            assertThat(endsWithin(socket, CONNECTION_TIMEOUT.multipliedBy(5))).isTrue();
        } finally {
            trickle.shutdownNow();
        }
    }

    /** True when the broker ends the connection within {@code wait} (EOF or reset), whatever it sent first. */
    private static boolean endsWithin(Socket socket, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1024];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }
}
