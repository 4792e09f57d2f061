package com.claudemesh.broker.support;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * RFC 6455 spoken by hand over a plain socket, for what a well-behaved client library cannot send:
 * invalid UTF-8, unfinished fragments, frames cut in the middle, unmasked or reserved-bit frames, a
 * handshake that never ends. Client frames are masked (RFC 6455 5.3) unless a test asks otherwise.
 * One virtual thread reads what the broker sends; it answers pings and the broker's close only when
 * told to, so a test can play a peer that has vanished without closing its TCP connection.
 */
public final class RawWebSocket implements AutoCloseable {

    /** The handshake was not answered with 101 and the right accept key. */
    public static final class HandshakeRefused extends IOException {
        HandshakeRefused(String why) {
            super(why);
        }
    }

    /** A frame the broker sent; for a close frame {@link #closeCode()} is its status code. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    public static final int OP_CONTINUATION = 0x0;
    public static final int OP_TEXT = 0x1;
    public static final int OP_BINARY = 0x2;
    public static final int OP_CLOSE = 0x8;
    public static final int OP_PING = 0x9;
    public static final int OP_PONG = 0xA;

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final Socket socket;
    private final InputStream in;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

    private volatile boolean answering = true;

    private RawWebSocket(Socket socket, InputStream in) {
        this.socket = socket;
        this.in = in;
    }

    /** A TCP connection to the broker, nothing sent yet: for partial handshakes. */
    public static Socket tcp(int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return socket;
    }

    /** A socket past a complete handshake on {@code /ws}; its reader runs from here on. */
    public static RawWebSocket open(int port) throws IOException {
        Socket socket = tcp(port);
        InputStream in = new BufferedInputStream(socket.getInputStream(), 2048);
        handshake(port, in, socket.getOutputStream());
        RawWebSocket client = new RawWebSocket(socket, in);
        Thread.ofVirtual().name("raw-ws-reader").start(client::readFrames);
        return client;
    }

    /** Sends the upgrade request and checks the 101 answer and its accept key. */
    public static void handshake(int port, InputStream in, OutputStream out) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        out.write(upgradeRequest(port, key).getBytes(StandardCharsets.US_ASCII));
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

    public static String upgradeRequest(int port, String key) {
        return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /** The response head, up to and including the blank line. */
    public static String readHead(InputStream in) throws IOException {
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

    public static String acceptKey(String key) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One client frame: FIN as given, masked (RFC 6455 5.2, 5.3), any payload length. */
    public static byte[] frame(int opcode, boolean fin, byte[] payload) {
        return frame(opcode, fin, payload, true);
    }

    public static byte[] frame(int opcode, boolean fin, byte[] payload, boolean masked) {
        int lengthBytes = payload.length < 126 ? 0 : payload.length <= 0xFFFF ? 2 : 8;
        byte[] frame = new byte[2 + lengthBytes + (masked ? 4 : 0) + payload.length];
        int at = 0;
        frame[at++] = (byte) ((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (lengthBytes == 0) {
            frame[at++] = (byte) (maskBit | payload.length);
        } else {
            frame[at++] = (byte) (maskBit | (lengthBytes == 2 ? 126 : 127));
            for (int shift = (lengthBytes - 1) * 8; shift >= 0; shift -= 8) {
                frame[at++] = (byte) ((long) payload.length >> shift);
            }
        }
        if (!masked) {
            System.arraycopy(payload, 0, frame, at, payload.length);
            return frame;
        }
        // A test client's masks need not be unpredictable to an attacker, only present.
        int mask = ThreadLocalRandom.current().nextInt();
        byte[] key = {(byte) (mask >> 24), (byte) (mask >> 16), (byte) (mask >> 8), (byte) mask};
        System.arraycopy(key, 0, frame, at, 4);
        at += 4;
        for (int i = 0; i < payload.length; i++) {
            frame[at + i] = (byte) (payload[i] ^ key[i & 3]);
        }
        return frame;
    }

    // ---- sending ----

    public void sendText(String text) throws IOException {
        send(frame(OP_TEXT, true, text.getBytes(StandardCharsets.UTF_8)));
    }

    public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        send(frame(opcode, fin, payload));
    }

    /** Bytes as given: a frame cut short, several frames at once, anything. */
    public synchronized void send(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /**
     * From now on the peer neither answers pings nor the broker's close frame, as a peer that
     * vanished without a FIN (or stopped its process) would; it still reads, so the test sees what
     * the broker sends.
     */
    public void stopAnswering() {
        answering = false;
    }

    // ---- receiving ----

    /** The next frame within {@code wait}, else null. */
    public Frame poll(Duration wait) throws InterruptedException {
        return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next text frame within {@code wait}; pings and pongs are skipped. */
    public String nextText(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Frame frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (frame == null) {
                throw new AssertionError("no text frame within " + wait);
            }
            if (frame.opcode() == OP_TEXT) {
                return frame.text();
            }
            if (frame.opcode() == OP_CLOSE) {
                throw new AssertionError("closed " + frame.closeCode() + " " + frame.closeReason() + " instead");
            }
        }
    }

    /** The broker's close frame within {@code wait}; frames before it are skipped. */
    public Frame awaitClose(Duration wait) throws InterruptedException {
        return await(OP_CLOSE, wait);
    }

    /** The next frame with {@code opcode} within {@code wait}; others are skipped, a close fails the wait. */
    public Frame await(int opcode, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Frame frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (frame == null) {
                throw new AssertionError("no frame of opcode " + opcode + " within " + wait);
            }
            if (frame.opcode() == opcode) {
                return frame;
            }
            if (frame.opcode() == OP_CLOSE) {
                throw new AssertionError("closed " + frame.closeCode() + " " + frame.closeReason() + " instead");
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Server frames are never masked (RFC 6455 5.1). */
    private void readFrames() {
        try {
            while (true) {
                int first = readByte();
                int second = readByte();
                int opcode = first & 0x0F;
                long length = second & 0x7F;
                if (length == 126) {
                    length = ((long) readByte() << 8) | readByte();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | readByte();
                    }
                }
                byte[] payload = in.readNBytes((int) length);
                if (payload.length != length) {
                    throw new EOFException("connection closed inside a frame");
                }
                frames.add(new Frame(opcode, payload));
                if (answering && opcode == OP_PING) {
                    send(frame(OP_PONG, true, payload));
                } else if (answering && opcode == OP_CLOSE) {
                    send(frame(OP_CLOSE, true, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : payload));
                }
            }
        } catch (IOException e) {
            // the connection is gone; what arrived before is in the queue
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed");
        }
        return b;
    }
}
