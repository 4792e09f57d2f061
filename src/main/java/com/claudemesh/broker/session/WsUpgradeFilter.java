package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.ClientAddress;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.Map;
import org.apache.tomcat.websocket.server.UpgradeUtil;
import org.apache.tomcat.websocket.server.WsServerContainer;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Takes the WebSocket upgrade of {@code /ws} ahead of the filter chain and hands it straight to Tomcat's
 * WebSocket container: no other filter, no {@code DispatcherServlet}, no request observation runs
 * for it. Most of a hello's CPU used to go there (docs/BENCHMARKS.md). Any other request to {@code
 * /ws} is told to upgrade. Registered by {@link WebSocketConfiguration}.
 */
final class WsUpgradeFilter extends OncePerRequestFilter {

    static final String PATH = "/ws";

    /** Where the client's address travels from the handshake to the session (its user properties). */
    static final String CLIENT_ADDRESS = "claudemesh.client-address";

    private final ClientAddress clientAddress;
    private final ServerEndpointConfig.Configurator configurator;

    WsUpgradeFilter(WsEndpoint endpoint, ClientAddress clientAddress) {
        this.clientAddress = clientAddress;
        this.configurator = new ServerEndpointConfig.Configurator() {
            @Override
            public <T> T getEndpointInstance(Class<T> type) {
                return type.cast(endpoint);
            }

            @Override
            public boolean checkOrigin(String origin) {
                // CLI peers send no Origin; browsers are not clients of this endpoint.
                return true;
            }
        };
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!UpgradeUtil.isWebSocketUpgradeRequest(request, response)) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            response.setContentType("application/json");
            response.getWriter().write("{\"ok\":false,\"error\":\"GET /ws with a WebSocket upgrade\"}");
            return;
        }
        if (!(request.getServletContext().getAttribute(ServerContainer.class.getName())
                instanceof WsServerContainer container)) {
            throw new ServletException("Tomcat's WebSocket container is not available");
        }
        // Tomcat copies the user properties of this configuration into the session's own.
        ServerEndpointConfig endpoint = ServerEndpointConfig.Builder.create(WsEndpoint.class, PATH)
                .configurator(configurator)
                .build();
        endpoint.getUserProperties().put(CLIENT_ADDRESS, clientAddress.of(request));
        UpgradeUtil.doUpgrade(container, request, response, endpoint, Map.of());
    }
}
