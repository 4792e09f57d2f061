package com.claudemesh.broker.session;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * The socket side of a writer under test: keeps what is written, and fails a write the way Tomcat
 * does when told to ({@link #failWhen}). Everything above the socket is the production code.
 */
final class RecordingSocket implements WebSocketSession {

    final List<WebSocketMessage<?>> written = new CopyOnWriteArrayList<>();
    volatile CloseStatus closed;
    private volatile Predicate<WebSocketMessage<?>> failing = message -> false;
    private volatile RuntimeException failure;

    /** The next write of a message matching {@code which} throws {@code failure} instead. */
    void failWhen(Predicate<WebSocketMessage<?>> which, RuntimeException failure) {
        this.failure = failure;
        this.failing = which;
    }

    @Override
    public void sendMessage(WebSocketMessage<?> message) throws IOException {
        if (failing.test(message)) {
            throw failure;
        }
        written.add(message);
    }

    @Override
    public void close(CloseStatus status) {
        closed = status;
    }

    @Override
    public void close() {
        close(CloseStatus.NORMAL);
    }

    @Override
    public boolean isOpen() {
        return closed == null;
    }

    @Override
    public String getId() {
        return "recording";
    }

    @Override
    public URI getUri() {
        return URI.create("ws://127.0.0.1/ws");
    }

    @Override
    public HttpHeaders getHandshakeHeaders() {
        return new HttpHeaders();
    }

    @Override
    public Map<String, Object> getAttributes() {
        return new HashMap<>();
    }

    @Override
    public Principal getPrincipal() {
        return null;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return null;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return null;
    }

    @Override
    public String getAcceptedProtocol() {
        return null;
    }

    @Override
    public void setTextMessageSizeLimit(int messageSizeLimit) {}

    @Override
    public int getTextMessageSizeLimit() {
        return 0;
    }

    @Override
    public void setBinaryMessageSizeLimit(int messageSizeLimit) {}

    @Override
    public int getBinaryMessageSizeLimit() {
        return 0;
    }

    @Override
    public List<WebSocketExtension> getExtensions() {
        return List.of();
    }
}
