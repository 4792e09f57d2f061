package com.claudemesh.broker.session;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer {

    private final WsEndpoint endpoint;

    WebSocketConfiguration(WsEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // CLI peers send no Origin; browsers are not clients of this endpoint.
        registry.addHandler(endpoint, "/ws").setAllowedOriginPatterns("*");
    }
}
