package com.claudemesh.broker.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Ed25519;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real WebSocket peer (java.net.http, which answers pings by itself after the frames before them
 * were consumed, and has no frame size limit) that collects what the broker sends.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    private static final AtomicLong HELLOS = new AtomicLong();

    public record Closed(int code, String reason) {}

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    /** How many more frames this peer reads; a slow peer stops reading when it reaches zero. */
    private final java.util.concurrent.atomic.AtomicLong readBudget;

    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private WsClient(long readBudget) {
        this.readBudget = new java.util.concurrent.atomic.AtomicLong(readBudget);
    }

    public static WsClient connect(int port) {
        return connect(port, true);
    }

    /** A peer that reads {@code frames} frames and then stops reading (its TCP window fills up). */
    public static WsClient connectReadingOnly(int port, long frames) {
        return open(port, frames, null);
    }

    public static WsClient connectReadingOnly(int port, long frames, String forwardedFor) {
        return open(port, frames, forwardedFor);
    }

    public static WsClient connect(int port, boolean reading) {
        return open(port, reading ? Long.MAX_VALUE : 0, null);
    }

    /**
     * A client whose handshake says it was forwarded for {@code forwardedFor} (null: nothing), which
     * a broker that trusts 127.0.0.1 as a proxy takes as the client's address.
     */
    public static WsClient connect(int port, boolean reading, String forwardedFor) {
        return open(port, reading ? Long.MAX_VALUE : 0, forwardedFor);
    }

    private static WsClient open(int port, long readBudget, String forwardedFor) {
        WsClient client = new WsClient(readBudget);
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (forwardedFor != null) {
            builder.header("X-Forwarded-For", forwardedFor);
        }
        client.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), client)
                .join();
        return client;
    }

    // ---- sending ----

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    public void sendJson(Map<String, ?> frame) {
        sendText(JSON.writeValueAsString(frame));
    }

    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /**
     * A hello timestamp for now on {@code clock}, distinct for every call of the run: A.3 check 6
     * refuses a hello accepted before, and a test's clock stands still. At most 30 s behind.
     */
    public static long helloTimestamp(Clock clock) {
        return clock.millis() - HELLOS.getAndIncrement() % 30_000;
    }

    public static Map<String, Object> helloFrame(MeshSeeds.SeededMember member, Ed25519 ed25519, long timestampMs) {
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("type", "hello");
        hello.put("meshId", member.meshId());
        hello.put("memberId", member.id());
        hello.put("pubkey", member.pubkey());
        hello.put("sessionId", "sess-" + member.displayName());
        hello.put("pid", 4242);
        hello.put("cwd", "/home/test/" + member.displayName());
        hello.put("timestamp", timestampMs);
        hello.put(
                "signature",
                ed25519.sign(
                        member.meshId() + "|" + member.id() + "|" + member.pubkey() + "|" + timestampMs,
                        member.keys().secretKeyHex()));
        return hello;
    }

    /** Sends a valid hello and returns the broker's {@code hello_ack}. */
    public JsonNode hello(MeshSeeds.SeededMember member, Ed25519 ed25519, long timestampMs) {
        sendJson(helloFrame(member, ed25519, timestampMs));
        JsonNode reply = next();
        assertThat(reply.path("type").asString())
                .as("reply to hello: %s", reply)
                .isEqualTo("hello_ack");
        return reply;
    }

    public void send(String id, String target, String priority, String nonce, String ciphertext) {
        Map<String, Object> send = new LinkedHashMap<>();
        send.put("type", "send");
        send.put("id", id);
        send.put("targetSpec", target);
        send.put("priority", priority);
        send.put("nonce", nonce);
        send.put("ciphertext", ciphertext);
        sendJson(send);
    }

    // ---- receiving ----

    public JsonNode next() {
        return next(WAIT);
    }

    public JsonNode next(Duration wait) {
        try {
            JsonNode frame = frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within " + wait);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame if one arrives within {@code wait}, else null. */
    public JsonNode poll(Duration wait) throws InterruptedException {
        return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads frames until {@code count} of {@code type} arrived; other frames are dropped. */
    public List<JsonNode> collect(String type, int count, Duration wait) throws InterruptedException {
        List<JsonNode> result = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (result.size() < count) {
            long left = deadline - System.nanoTime();
            JsonNode frame = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
            if (frame == null) {
                throw new AssertionError(
                        "only " + result.size() + " of " + count + " " + type + " frames within " + wait);
            }
            if (type.equals(frame.path("type").asString())) {
                result.add(frame);
            }
        }
        return result;
    }

    public List<JsonNode> received() {
        List<JsonNode> all = new ArrayList<>();
        frames.drainTo(all);
        return all;
    }

    public Closed awaitClose() {
        return closed.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Orderly close from the client side: close frame, then wait for the broker's. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
        try {
            closed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            socket.abort();
        }
    }

    /** Cuts the TCP connection without a close frame: an abnormal end for the broker. */
    public void abort() {
        socket.abort();
    }

    // ---- WebSocket.Listener ----

    @Override
    public void onOpen(WebSocket webSocket) {
        if (readBudget.get() > 0) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(JSON.readTree(partial.toString()));
            partial.setLength(0);
            if (readBudget.decrementAndGet() <= 0) {
                return null;
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(-1, String.valueOf(error.getMessage())));
    }
}
