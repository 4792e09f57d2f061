package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.ClientAddress;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * {@code /ws} is served by {@link WsUpgradeFilter}, before every filter but the one that marks every
 * response {@code no-store} (ops.NoStoreResponses): one header, and the refusal of a plain GET keeps it.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration {

    @Bean
    FilterRegistrationBean<WsUpgradeFilter> webSocketUpgrade(WsEndpoint endpoint, ClientAddress clientAddress) {
        FilterRegistrationBean<WsUpgradeFilter> registration =
                new FilterRegistrationBean<>(new WsUpgradeFilter(endpoint, clientAddress));
        registration.addUrlPatterns(WsUpgradeFilter.PATH);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }
}
