package com.claudemesh.broker.config;

import java.util.Map;
import org.springframework.boot.SpringBootExceptionReporter;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports configuration mistakes as one line on stderr that names the environment variable and
 * what it expects, instead of Spring's multi-line failure analysis and stack trace. Failures that are
 * not configuration mistakes are left to Spring Boot's own reporting.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConfigurationErrorReporter implements SpringBootExceptionReporter {

    private static final Map<String, String> VARIABLES = Map.ofEntries(
            Map.entry("broker.port", "BROKER_PORT"),
            Map.entry("server.port", "BROKER_PORT"),
            Map.entry("broker.status-ttl", "STATUS_TTL_SECONDS"),
            Map.entry("broker.hook-fresh-window", "HOOK_FRESH_WINDOW_SECONDS"),
            Map.entry("broker.max-connections-per-mesh", "MAX_CONNECTIONS_PER_MESH"),
            Map.entry("broker.max-message-bytes", "MAX_MESSAGE_BYTES"),
            Map.entry("broker.hook-rate-limit-per-min", "HOOK_RATE_LIMIT_PER_MIN"),
            Map.entry("broker.join-rate-limit-per-ip-per-min", "JOIN_RATE_LIMIT_PER_IP_PER_MIN"),
            Map.entry("broker.send-rate-limit-per-min", "SEND_RATE_LIMIT_PER_MIN"),
            Map.entry("broker.send-rate-limit-burst", "SEND_RATE_LIMIT_BURST"),
            Map.entry("broker.message-ttl", "MESSAGE_TTL_SECONDS"),
            Map.entry("broker.message-retention", "MESSAGE_RETENTION_SECONDS"),
            Map.entry("broker.outbound-queue-frames", "OUTBOUND_QUEUE_FRAMES"),
            Map.entry("broker.slow-consumer-timeout", "SLOW_CONSUMER_TIMEOUT_SECONDS"),
            Map.entry("broker.claude-projects-dir", "CLAUDE_PROJECTS_DIR"));

    @Override
    public boolean reportException(Throwable failure) {
        String line = describe(failure);
        if (line == null) {
            return false;
        }
        System.err.println("claudemesh-broker: cannot start: " + line);
        return true;
    }

    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationException invalid) {
                return invalid.getMessage();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException bind && bind.getProperty() != null) {
                String property = bind.getProperty().getName().toString();
                String variable = VARIABLES.getOrDefault(property, property);
                return variable + " must be a positive whole number, got '"
                        + bind.getProperty().getValue() + "'";
            }
            if (t.getClass().getSimpleName().equals("DataSourceBeanCreationException")) {
                return "DATABASE_URL is required, for example postgres://user:password@host:5432/database";
            }
        }
        return null;
    }
}
