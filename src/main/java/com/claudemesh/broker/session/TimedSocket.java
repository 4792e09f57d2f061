package com.claudemesh.broker.session;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.web.socket.CloseStatus;

/**
 * A socket whose blocking writes are timed, for telling a slow consumer from a lost connection.
 * Tomcat ends a write that the peer does not drain within the send timeout by dropping the
 * connection, and reports that as an abnormal close before the writer sees its exception; how long
 * the write in progress has been blocked tells that close apart ({@link #writeTimedOut}).
 */
final class TimedSocket implements Socket {

    private interface Write {
        void run() throws IOException;
    }

    private final Socket socket;
    /** When the write in progress started (System.nanoTime), or 0 between writes. */
    private volatile long writeStartedNanos;

    TimedSocket(Socket socket) {
        this.socket = socket;
    }

    /** Whether the write in progress has been blocked for (nearly) {@code sendTimeout}. */
    boolean writeTimedOut(Duration sendTimeout) {
        long started = writeStartedNanos;
        return started != 0
                && Duration.ofNanos(System.nanoTime() - started)
                                .compareTo(sendTimeout.multipliedBy(9).dividedBy(10))
                        >= 0;
    }

    /** Whether a write failed because the peer did not drain within the send timeout. */
    static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String id() {
        return socket.id();
    }

    @Override
    public void text(String frame) throws IOException {
        timed(() -> socket.text(frame));
    }

    @Override
    public void ping(ByteBuffer payload) throws IOException {
        timed(() -> socket.ping(payload));
    }

    @Override
    public void flush() throws IOException {
        timed(socket::flush);
    }

    @Override
    public void close(CloseStatus status) throws IOException {
        timed(() -> socket.close(status));
    }

    @Override
    public void abort(CloseStatus status) {
        socket.abort(status);
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    private void timed(Write write) throws IOException {
        writeStartedNanos = System.nanoTime();
        try {
            write.run();
        } finally {
            writeStartedNanos = 0;
        }
    }
}
