package com.claudemesh.broker.session;

import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/** {@code GET /ws} (PROTOCOL A.1): hands each socket's events to its {@link Connection}, nothing else. */
@Component
class WsEndpoint extends TextWebSocketHandler {

    private static final String CONNECTION = Connection.class.getName();
    private static final String SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    private final ConnectionServices services;
    private final SessionRegistry registry;

    WsEndpoint(ConnectionServices services, SessionRegistry registry) {
        this.services = services;
        this.registry = registry;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws Exception {
        if (!registry.accepting()) {
            session.close(new CloseStatus(1001, "shutting down"));
            return;
        }
        // A peer that does not drain a write within the slow-consumer limit makes the write fail.
        if (session instanceof StandardWebSocketSession standard) {
            Map<String, Object> properties = standard.getNativeSession().getUserProperties();
            properties.put(
                    SEND_TIMEOUT, services.settings().slowConsumerTimeout().toMillis());
        }
        Connection connection = new Connection(session, services);
        session.getAttributes().put(CONNECTION, connection);
        registry.attach(connection);
        connection.start();
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        connection(session).onText(message.getPayload());
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        connection(session).onPong(message.getPayload());
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        connection(session).onBinary();
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Connection connection = (Connection) session.getAttributes().get(CONNECTION);
        if (connection != null) {
            connection.onClosed(status);
        }
    }

    private static Connection connection(WebSocketSession session) {
        return (Connection) session.getAttributes().get(CONNECTION);
    }
}
