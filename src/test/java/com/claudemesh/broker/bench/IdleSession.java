package com.claudemesh.broker.bench;

import com.claudemesh.broker.bench.BenchMesh.BenchMember;
import com.claudemesh.broker.support.RawWebSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One session of the {@code idle} scenario: connects, says the same signed hello as {@link
 * BenchPeer} and then only answers the broker's pings until it is closed. It speaks RFC 6455 itself
 * over a plain socket read by one virtual thread, instead of the JDK {@code HttpClient}: the JDK
 * client cost the generator ~1.6 ms of CPU per connection, so on the 2 cores it shares with the
 * broker and PostgreSQL the generator, not the broker, bounded the hellos per second. Client frames
 * are masked and the server's handshake answer is checked, as for any client ({@link RawWebSocket}).
 */
final class IdleSession implements BenchSession {

    private static final int OP_CONTINUATION = RawWebSocket.OP_CONTINUATION;
    private static final int OP_TEXT = RawWebSocket.OP_TEXT;
    private static final int OP_CLOSE = RawWebSocket.OP_CLOSE;
    private static final int OP_PING = RawWebSocket.OP_PING;
    private static final int OP_PONG = RawWebSocket.OP_PONG;
    private static final int NORMAL_CLOSURE = 1000;

    private final BenchMember member;
    private final BenchCrypto crypto;
    private final Ledger ledger;
    private final JsonMapper json;
    private final CompletableFuture<Long> helloAcked = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile Socket socket;
    private volatile boolean closing;
    private boolean closeSent;

    IdleSession(BenchMember member, BenchCrypto crypto, Ledger ledger, JsonMapper json) {
        this.member = member;
        this.crypto = crypto;
        this.ledger = ledger;
        this.json = json;
    }

    /** Opens the socket and says hello; completes with the hello round trip in nanoseconds. */
    CompletableFuture<Long> connect(int port, Duration timeout) {
        long start = System.nanoTime();
        Thread.ofVirtual().name("idle-" + member.index()).start(() -> run(port, timeout));
        return helloAcked.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(acked -> acked - start);
    }

    @Override
    public boolean open() {
        return helloAcked.isDone() && !helloAcked.isCompletedExceptionally() && !closed.isDone();
    }

    /** Orderly close (1000); the socket is dropped if the broker does not answer within {@code timeout}. */
    @Override
    public CompletableFuture<Integer> close(Duration timeout) {
        closing = true;
        Socket current = socket;
        if (current == null || closed.isDone()) {
            return CompletableFuture.completedFuture(-1);
        }
        try {
            sendClose(NORMAL_CLOSURE);
        } catch (IOException e) {
            drop();
            return CompletableFuture.completedFuture(-1);
        }
        return closed.completeOnTimeout(-1, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((code, failure) -> drop());
    }

    private void run(int port, Duration timeout) {
        try (Socket opened = new Socket()) {
            opened.setTcpNoDelay(true);
            opened.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket = opened;
            InputStream in = new BufferedInputStream(opened.getInputStream(), 2048);
            RawWebSocket.handshake(port, in, opened.getOutputStream());
            send(OP_TEXT, BenchPeer.hello(member, crypto).getBytes(StandardCharsets.UTF_8));
            readFrames(in);
        } catch (IOException e) {
            if (!closing && helloAcked.isDone()) {
                ledger.error("socket_error");
            }
            helloAcked.completeExceptionally(e);
            closed.complete(-1);
        }
    }

    /** Server frames are never masked (RFC 6455 5.1); text messages may come in fragments. */
    private void readFrames(InputStream in) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int first = readByte(in);
            int second = readByte(in);
            boolean fin = (first & 0x80) != 0;
            int opcode = first & 0x0F;
            long length = second & 0x7F;
            if (length == 126) {
                length = ((long) readByte(in) << 8) | readByte(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte(in);
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length != length) {
                throw new EOFException("connection closed inside a frame");
            }
            switch (opcode) {
                case OP_TEXT, OP_CONTINUATION -> {
                    message.write(payload);
                    if (fin) {
                        onText(message.toString(StandardCharsets.UTF_8));
                        message.reset();
                    }
                }
                case OP_PING -> send(OP_PONG, payload);
                case OP_CLOSE -> {
                    int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    onClose(
                            code,
                            new String(
                                    payload,
                                    Math.min(2, payload.length),
                                    Math.max(0, payload.length - 2),
                                    StandardCharsets.UTF_8));
                    return;
                }
                case OP_PONG -> {
                    // not asked for; nothing to do
                }
                default -> ledger.error("frame_opcode_" + opcode);
            }
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed");
        }
        return b;
    }

    private void onText(String text) {
        long now = System.nanoTime();
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (JacksonException e) {
            ledger.error("unparseable_frame");
            return;
        }
        String type = frame.path("type").asString("");
        switch (type) {
            case "hello_ack" -> helloAcked.complete(now);
            case "error" -> {
                String code = frame.path("code").asString("unknown");
                ledger.error(code);
                helloAcked.completeExceptionally(new BenchPeer.HelloRefused("broker refused hello: " + code));
            }
            default -> ledger.error("frame_" + type);
        }
    }

    private void onClose(int code, String reason) throws IOException {
        if (!closing) {
            ledger.error("closed_by_broker_" + code);
        }
        sendClose(code == 1005 ? NORMAL_CLOSURE : code);
        helloAcked.completeExceptionally(new BenchPeer.HelloRefused("closed " + code + " " + reason));
        closed.complete(code);
    }

    private synchronized void sendClose(int code) throws IOException {
        if (!closeSent) {
            closeSent = true;
            send(OP_CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
        }
    }

    /** One masked frame (RFC 6455 5.3); frames of one socket never interleave. */
    private synchronized void send(int opcode, byte[] payload) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(RawWebSocket.frame(opcode, true, payload));
        out.flush();
    }

    private void drop() {
        Socket current = socket;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
