package com.claudemesh.broker.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Reads the broker's environment before anything binds it: numeric variables must be whole numbers
 * (they also feed Tomcat and the server port, which would otherwise fail with a stack trace), and
 * {@code DATABASE_URL} becomes Spring's datasource settings. Without {@code DATABASE_URL} the
 * datasource settings are left to other sources (the dev run and the tests set them).
 */
class BrokerEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String DATABASE_URL = "DATABASE_URL";

    static final List<String> WHOLE_NUMBER_VARIABLES = List.of(
            "BROKER_PORT",
            "STATUS_TTL_SECONDS",
            "HOOK_FRESH_WINDOW_SECONDS",
            "MAX_CONNECTIONS_PER_MESH",
            "MAX_MESSAGE_BYTES",
            "HOOK_RATE_LIMIT_PER_MIN",
            "JOIN_RATE_LIMIT_PER_IP_PER_MIN",
            "SEND_RATE_LIMIT_PER_MIN",
            "SEND_RATE_LIMIT_BURST",
            "MESSAGE_TTL_SECONDS",
            "MESSAGE_RETENTION_SECONDS",
            "OUTBOUND_QUEUE_FRAMES",
            "SLOW_CONSUMER_TIMEOUT_SECONDS",
            "DATABASE_POOL_SIZE");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        for (String variable : WHOLE_NUMBER_VARIABLES) {
            String value = environment.getProperty(variable);
            if (value != null && !value.trim().matches("-?\\d{1,10}")) {
                throw new InvalidConfigurationException(variable + " must be a whole number, got '" + value + "'");
            }
        }
        String value = environment.getProperty(DATABASE_URL);
        if (value == null || value.isBlank()) {
            return;
        }
        DatabaseUrl url = DatabaseUrl.parse(value);
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", url.jdbcUrl());
        if (url.username() != null) {
            properties.put("spring.datasource.username", url.username());
        }
        if (url.password() != null) {
            properties.put("spring.datasource.password", url.password());
        }
        environment.getPropertySources().addFirst(new MapPropertySource(DATABASE_URL, properties));
    }
}
