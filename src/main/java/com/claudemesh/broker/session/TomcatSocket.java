package com.claudemesh.broker.session;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.springframework.web.socket.CloseStatus;

/**
 * A {@link Socket} over Tomcat's WebSocket session, with Tomcat's batching on: the frames of one
 * drain of the writer share a write system call instead of one each. Tomcat drops what is still
 * batched when it sends a close frame, so {@link #close} flushes first.
 */
final class TomcatSocket implements Socket {

    private final Session session;
    private final RemoteEndpoint.Basic remote;

    TomcatSocket(Session session) throws IOException {
        this.session = session;
        this.remote = session.getBasicRemote();
        remote.setBatchingAllowed(true);
    }

    @Override
    public String id() {
        return session.getId();
    }

    @Override
    public void text(String frame) throws IOException {
        remote.sendText(frame);
    }

    @Override
    public void ping(ByteBuffer payload) throws IOException {
        remote.sendPing(payload);
    }

    @Override
    public void flush() throws IOException {
        remote.flushBatch();
    }

    @Override
    public void close(CloseStatus status) throws IOException {
        try {
            remote.flushBatch();
        } finally {
            session.close(reason(status));
        }
    }

    @Override
    public void abort(CloseStatus status) {
        try {
            session.close(reason(status));
        } catch (IOException | IllegalStateException e) {
            // already closing; the endpoint's onClose follows either way
        }
    }

    @Override
    public boolean isOpen() {
        return session.isOpen();
    }

    private static CloseReason reason(CloseStatus status) {
        return new CloseReason(
                CloseReason.CloseCodes.getCloseCode(status.getCode()),
                status.getReason() == null ? "" : status.getReason());
    }
}
