package com.claudemesh.broker.bench;

import com.claudemesh.broker.bench.BenchMesh.BenchMember;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
 * are masked and the server's handshake answer is checked, as for any client.
 */
final class IdleSession implements BenchSession {

    /** The handshake was not answered with 101 and the right accept key. */
    static final class HandshakeRefused extends IOException {
        HandshakeRefused(String why) {
            super(why);
        }
    }

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
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
            handshake(port, in, opened.getOutputStream());
            send(OP_TEXT, hello().getBytes(StandardCharsets.UTF_8));
            readFrames(in);
        } catch (IOException e) {
            if (!closing && helloAcked.isDone()) {
                ledger.error("socket_error");
            }
            helloAcked.completeExceptionally(e);
            closed.complete(-1);
        }
    }

    private String hello() {
        long now = System.currentTimeMillis();
        String signature = crypto.signHello(member.meshId(), member.memberId(), member.keys(), now);
        return "{\"type\":\"hello\",\"meshId\":\"" + member.meshId() + "\",\"memberId\":\"" + member.memberId()
                + "\",\"pubkey\":\"" + member.keys().publicKeyHex() + "\",\"sessionId\":\"bench-" + member.index()
                + "\",\"pid\":" + ProcessHandle.current().pid() + ",\"cwd\":\"/bench/" + member.index()
                + "\",\"timestamp\":" + now + ",\"signature\":\"" + signature + "\"}";
    }

    private static void handshake(int port, InputStream in, OutputStream out) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new HandshakeRefused(head.lines().findFirst().orElse(""));
        }
        String expected = acceptKey(key);
        boolean accepted = head.lines()
                .anyMatch(line -> line.regionMatches(true, 0, "Sec-WebSocket-Accept:", 0, 21)
                        && line.substring(21).trim().equals(expected));
        if (!accepted) {
            throw new HandshakeRefused("wrong Sec-WebSocket-Accept");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    static String acceptKey(String key) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
        byte[] frame = new byte[payload.length + (payload.length < 126 ? 6 : 8)];
        int at = 0;
        frame[at++] = (byte) (0x80 | opcode);
        if (payload.length < 126) {
            frame[at++] = (byte) (0x80 | payload.length);
        } else {
            frame[at++] = (byte) (0x80 | 126);
            frame[at++] = (byte) (payload.length >> 8);
            frame[at++] = (byte) payload.length;
        }
        // A load generator's masks need not be unpredictable to an attacker, only present.
        int mask = ThreadLocalRandom.current().nextInt();
        byte[] key = {(byte) (mask >> 24), (byte) (mask >> 16), (byte) (mask >> 8), (byte) mask};
        System.arraycopy(key, 0, frame, at, 4);
        at += 4;
        for (int i = 0; i < payload.length; i++) {
            frame[at + i] = (byte) (payload[i] ^ key[i & 3]);
        }
        OutputStream out = socket.getOutputStream();
        out.write(frame);
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
