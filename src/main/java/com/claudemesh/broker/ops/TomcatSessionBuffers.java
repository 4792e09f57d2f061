package com.claudemesh.broker.ops;

import com.claudemesh.broker.config.BrokerProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Tomcat sized for the broker's sockets: {@code MAX_SOCKETS} plus {@link #HEADROOM} connections, and
 * small per-connection buffers, so that 10 000 idle WebSocket sessions fit the heap. Tomcat gives
 * every connection a socket read and write buffer (8 KiB each by default) and every WebSocket
 * session a frame input buffer, an output buffer and an encoder buffer of {@value
 * #WEBSOCKET_DEFAULT_BUFFER_SIZE_PROPERTY} (8 KiB by default) on top of its message buffers
 * (application.properties): about 64 KiB per idle session before this. Frames larger than a
 * buffer still pass, read and written in several pieces; the session layer assembles inbound
 * fragments and enforces MAX_MESSAGE_BYTES itself.
 */
@Component
class TomcatSessionBuffers implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    static final String WEBSOCKET_DEFAULT_BUFFER_SIZE_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";
    static final int BUFFER_BYTES = 2048;
    /**
     * Connections beyond {@code MAX_SOCKETS} that Tomcat still accepts: HTTP requests (health,
     * metrics, hooks) go on, and sockets over the limit are refused with 1013 by the broker rather
     * than left waiting in the accept queue.
     */
    static final int HEADROOM = 1_024;

    private final int maxSockets;

    TomcatSessionBuffers(BrokerProperties properties) {
        this.maxSockets = properties.maxSockets();
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        // Tomcat reads this system property once, when its WebSocket classes initialise, which is
        // after the web server factory is customised. An operator's own -D setting wins.
        if (System.getProperty(WEBSOCKET_DEFAULT_BUFFER_SIZE_PROPERTY) == null) {
            System.setProperty(WEBSOCKET_DEFAULT_BUFFER_SIZE_PROPERTY, Integer.toString(BUFFER_BYTES));
        }
        factory.addConnectorCustomizers(connector -> {
            connector.setProperty("maxConnections", Integer.toString(maxSockets + HEADROOM));
            connector.setProperty("socket.appReadBufSize", Integer.toString(BUFFER_BYTES));
            connector.setProperty("socket.appWriteBufSize", Integer.toString(BUFFER_BYTES));
        });
    }
}
