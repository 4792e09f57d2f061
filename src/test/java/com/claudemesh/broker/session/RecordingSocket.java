package com.claudemesh.broker.session;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.springframework.web.socket.CloseStatus;

/**
 * The socket side of a writer under test: frames are batched until flushed, as Tomcat batches them,
 * and {@link #written} holds what went out on the wire, in order. A write fails the way Tomcat's do
 * when told to ({@link #failWhen}). Everything above the socket is the production code.
 */
final class RecordingSocket implements Socket {

    sealed interface Sent {}

    record Text(String json) implements Sent {}

    record Ping(long number) implements Sent {}

    record Close(CloseStatus status) implements Sent {}

    /** What reached the wire: flushed frames, then the close. */
    final List<Sent> written = new CopyOnWriteArrayList<>();

    /** The frames of each flush that wrote any: one entry per write system call Tomcat would make. */
    final List<List<Sent>> flushes = new CopyOnWriteArrayList<>();

    private final List<Sent> batch = new ArrayList<>();
    private volatile Predicate<Sent> failing = sent -> false;
    private volatile RuntimeException failure;
    volatile boolean aborted;
    volatile boolean failFlushes;

    /** The next frame matching {@code which} fails with {@code failure} instead. */
    void failWhen(Predicate<Sent> which, RuntimeException failure) {
        this.failure = failure;
        this.failing = which;
    }

    List<Text> texts() {
        return written.stream()
                .filter(Text.class::isInstance)
                .map(Text.class::cast)
                .toList();
    }

    @Override
    public String id() {
        return "recording";
    }

    @Override
    public void text(String frame) {
        add(new Text(frame));
    }

    @Override
    public void ping(ByteBuffer payload) {
        add(new Ping(payload.getLong(payload.position())));
    }

    @Override
    public synchronized void flush() throws java.io.IOException {
        if (failFlushes) {
            throw new java.io.IOException("Broken pipe");
        }
        if (!batch.isEmpty()) {
            flushes.add(List.copyOf(batch));
        }
        written.addAll(batch);
        batch.clear();
    }

    @Override
    public synchronized void close(CloseStatus status) throws java.io.IOException {
        flush();
        written.add(new Close(status));
    }

    @Override
    public void abort(CloseStatus status) {
        aborted = true;
    }

    @Override
    public boolean isOpen() {
        return !aborted && written.stream().noneMatch(Close.class::isInstance);
    }

    private synchronized void add(Sent sent) {
        if (failing.test(sent)) {
            throw failure;
        }
        batch.add(sent);
    }
}
