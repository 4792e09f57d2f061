package com.claudemesh.broker.presence;

import com.claudemesh.broker.config.BrokerProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PresenceConfiguration {

    @Bean
    StatusRule statusRule(BrokerProperties properties) {
        return new StatusRule(properties.hookFreshWindow());
    }

    /** A new identity per process: a restarted broker must not adopt the presences of its crashed past. */
    @Bean
    BrokerInstance brokerInstance() {
        return new BrokerInstance(UUID.randomUUID().toString(), hostName());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
