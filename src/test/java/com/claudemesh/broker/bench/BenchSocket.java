package com.claudemesh.broker.bench;

import com.claudemesh.broker.support.RawWebSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messaging peers' WebSocket client: RFC 6455 over a plain socket, with the handshake of {@link
 * RawWebSocket}. The JDK's {@code java.net.http.WebSocket} cost the generator 60–100 µs of CPU per
 * message (a selector thread and executor hand-offs per frame); on the 2 cores it shares with the
 * broker and PostgreSQL that bounded the figures, not the broker.
 *
 * <p>One reader thread per socket reads the frames and answers pings itself, before it hands the
 * next text message on: the broker counts a push as received when the pong of a later ping arrives
 * (PROTOCOL A.6), so a pong must never wait behind the decryption of pushes. Text messages go to
 * one handler thread per socket, in order; it takes every message queued since its last turn at
 * once, so under load a hand-off costs a lock and no wake-up. The queue has no bound of its own:
 * what can be in it is bounded by what the senders have in flight (their windows, or the rate).
 * Frames leave masked, header and
 * payload in one {@code write} call from one reused buffer, under one lock: the sender threads, and
 * the reader with its pongs, never interleave their frames.
 */
final class BenchSocket implements AutoCloseable {

    /** What the peer does with the socket's messages; both methods run on the handler thread. */
    interface Listener {

        /** One whole text message (UTF-8), in the order the broker sent them. */
        void onText(byte[] message);

        /**
         * The socket ended, after every message before the end was handed over: the broker's close
         * code (1005 when its close frame had none) and reason, or {@code failure} when the
         * connection broke instead.
         */
        void onEnd(int code, String reason, IOException failure);
    }

    private static final int NO_STATUS = 1005;
    private static final int MAX_HEADER = 14;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Listener listener;
    /** A lock rather than {@code synchronized}: a virtual thread blocked in a write must not pin its carrier on JDK 21. */
    private final ReentrantLock writeLock = new ReentrantLock();

    private byte[] frame = new byte[1024];
    private boolean closeSent;

    private final ReentrantLock inboxLock = new ReentrantLock();
    private final Condition inboxChanged = inboxLock.newCondition();
    private ArrayList<byte[]> inbox = new ArrayList<>();
    private boolean ended;
    private int endCode;
    private String endReason;
    private IOException endFailure;

    private BenchSocket(Socket socket, InputStream in, Listener listener) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.listener = listener;
    }

    /**
     * Connects to {@code ws://127.0.0.1:<port>/ws} and completes the handshake within {@code
     * timeout}; from then on its reader and handler threads run.
     */
    static BenchSocket open(int port, Duration timeout, Listener listener, String name) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            // A broker that accepts but never answers the upgrade must not hold the thread for ever.
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            RawWebSocket.handshake(port, in, socket.getOutputStream());
            socket.setSoTimeout(0);
            BenchSocket opened = new BenchSocket(socket, in, listener);
            Thread.ofVirtual().name(name + "-handler").start(opened::handle);
            Thread.ofVirtual().name(name + "-reader").start(opened::read);
            return opened;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** One text frame; blocks while the socket's send buffer is full. */
    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        write(RawWebSocket.OP_TEXT, payload, payload.length);
    }

    /** Starts the closing handshake with {@code code}; a close frame goes out at most once. */
    void sendClose(int code) throws IOException {
        sendCloseFrame(new byte[] {(byte) (code >> 8), (byte) code}, 2);
    }

    /** Drops the TCP connection at once; the reader then ends the socket. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private void sendCloseFrame(byte[] payload, int length) throws IOException {
        writeLock.lock();
        try {
            if (!closeSent) {
                closeSent = true;
                write(RawWebSocket.OP_CLOSE, payload, length);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** One masked frame (RFC 6455 5.2, 5.3) with FIN set, written with one call. */
    private void write(int opcode, byte[] payload, int length) throws IOException {
        int header = 2 + (length < 126 ? 0 : length <= 0xFFFF ? 2 : 8) + 4;
        writeLock.lock();
        try {
            if (frame.length < header + length) {
                frame = new byte[Math.max(header + length, 2 * frame.length)];
            }
            byte[] f = frame;
            f[0] = (byte) (0x80 | opcode);
            int at = 2;
            if (length < 126) {
                f[1] = (byte) (0x80 | length);
            } else if (length <= 0xFFFF) {
                f[1] = (byte) (0x80 | 126);
                f[at++] = (byte) (length >> 8);
                f[at++] = (byte) length;
            } else {
                f[1] = (byte) (0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    f[at++] = (byte) ((long) length >> shift);
                }
            }
            // A load generator's masks need not be unpredictable to an attacker, only present.
            int mask = ThreadLocalRandom.current().nextInt();
            f[at++] = (byte) (mask >> 24);
            f[at++] = (byte) (mask >> 16);
            f[at++] = (byte) (mask >> 8);
            f[at++] = (byte) mask;
            // Eight bytes at a time: the mask repeats every four, so the long holds it twice.
            long wide = ((long) mask << 32) | (mask & 0xFFFFFFFFL);
            int i = 0;
            for (; i + 8 <= length; i += 8) {
                LONGS.set(f, at + i, (long) LONGS.get(payload, i) ^ wide);
            }
            for (; i < length; i++) {
                f[at + i] = (byte) (payload[i] ^ (mask >> (24 - 8 * (i & 3))));
            }
            out.write(f, 0, at + length);
        } finally {
            writeLock.unlock();
        }
    }

    /** Server frames are never masked (RFC 6455 5.1); a text message may come in fragments. */
    private void read() {
        int code = -1;
        String reason = "";
        IOException failure = null;
        try (socket) {
            ByteArrayOutputStream fragments = new ByteArrayOutputStream();
            while (true) {
                int first = readByte();
                int second = readByte();
                boolean fin = (first & 0x80) != 0;
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
                if (opcode == RawWebSocket.OP_PING) {
                    write(RawWebSocket.OP_PONG, payload, payload.length);
                } else if (opcode == RawWebSocket.OP_CLOSE) {
                    code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : NO_STATUS;
                    reason = payload.length > 2
                            ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
                            : "";
                    // The answer repeats the status code, or is empty when there was none (RFC 6455 5.5.1).
                    sendCloseFrame(payload, Math.min(2, payload.length));
                    return;
                } else if (opcode == RawWebSocket.OP_TEXT && fin && fragments.size() == 0) {
                    handOver(payload);
                } else if (opcode == RawWebSocket.OP_TEXT || opcode == RawWebSocket.OP_CONTINUATION) {
                    fragments.write(payload);
                    if (fin) {
                        handOver(fragments.toByteArray());
                        fragments.reset();
                    }
                }
                // pongs were not asked for, binary frames are not part of the protocol: ignored
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            end(code, reason, failure);
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed");
        }
        return b;
    }

    private void handOver(byte[] message) {
        inboxLock.lock();
        try {
            inbox.add(message);
            inboxChanged.signal();
        } finally {
            inboxLock.unlock();
        }
    }

    private void end(int code, String reason, IOException failure) {
        inboxLock.lock();
        try {
            ended = true;
            endCode = code;
            endReason = reason;
            endFailure = failure;
            inboxChanged.signal();
        } finally {
            inboxLock.unlock();
        }
    }

    /** Hands the messages to the listener in order, then the end once the reader has stopped. */
    private void handle() {
        ArrayList<byte[]> batch = new ArrayList<>();
        while (true) {
            boolean last;
            inboxLock.lock();
            try {
                while (inbox.isEmpty() && !ended) {
                    inboxChanged.awaitUninterruptibly();
                }
                ArrayList<byte[]> taken = inbox;
                inbox = batch;
                batch = taken;
                last = ended;
            } finally {
                inboxLock.unlock();
            }
            for (byte[] message : batch) {
                listener.onText(message);
            }
            batch.clear();
            if (last) {
                listener.onEnd(endCode, endReason, endFailure);
                return;
            }
        }
    }
}
