package com.claudemesh.broker.ops;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * WebSocket upgrade requests are not observed as HTTP requests: their timer would only measure the
 * handshake (sessions have the broker_connections series of PROTOCOL A.12), and observing them was
 * about a tenth of the broker's CPU while 10 000 sessions connected.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketUpgradeObservations {

    @Bean
    ObservationPredicate noHttpObservationOfWebSocketUpgrades() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && "/ws".equals(request.getCarrier().getRequestURI()));
    }
}
