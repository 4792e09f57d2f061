package com.claudemesh.broker.session;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * {@code GET /ws} (PROTOCOL A.1) as an endpoint of Tomcat's own WebSocket container ({@link
 * WsUpgradeFilter} hands the upgrade to it): hands each socket's events to its {@link Connection},
 * nothing else. Text arrives in fragments, so Tomcat keeps a small per-session buffer and the
 * connection assembles and bounds messages itself.
 */
@Component
class WsEndpoint extends Endpoint {

    private static final Logger log = LoggerFactory.getLogger(WsEndpoint.class);
    private static final String CONNECTION = Connection.class.getName();
    private static final String SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    private final ConnectionServices services;
    private final SessionRegistry registry;

    WsEndpoint(ConnectionServices services, SessionRegistry registry) {
        this.services = services;
        this.registry = registry;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        if (!registry.accepting()) {
            close(session, new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "shutting down"));
            return;
        }
        String clientAddress = (String) session.getUserProperties().get(WsUpgradeFilter.CLIENT_ADDRESS);
        ConnectionLimits.Ticket ticket = services.limits().admit(clientAddress);
        if (ticket == null) {
            // A.3: over the socket limits, before any work; the client retries later.
            close(session, new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "try_again_later"));
            return;
        }
        // A peer that does not drain a write within the slow-consumer limit makes the write fail.
        session.getUserProperties()
                .put(SEND_TIMEOUT, services.settings().slowConsumerTimeout().toMillis());
        Connection connection;
        try {
            connection = new Connection(new TomcatSocket(session), services, clientAddress, ticket);
        } catch (IOException e) {
            ticket.release();
            close(session, new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "internal_error"));
            return;
        }
        session.getUserProperties().put(CONNECTION, connection);
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) connection::onTextPart);
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>)
                pong -> connection.onPong(pong.getApplicationData()));
        session.addMessageHandler(
                ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) -> connection.onBinary());
        registry.attach(connection);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        if (session.getUserProperties().get(CONNECTION) instanceof Connection connection) {
            connection.onClosed(new CloseStatus(reason.getCloseCode().getCode(), reason.getReasonPhrase()));
        }
    }

    @Override
    public void onError(Session session, Throwable failure) {
        // Tomcat closes the session after this (onClose follows, 1006 or 1011).
        log.debug("WebSocket error: {}", failure.getClass().getSimpleName());
    }

    private static void close(Session session, CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException e) {
            // the peer is gone already
        }
    }
}
