package com.claudemesh.broker.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * Every setting of the broker, bound from environment variables (see {@code application.properties}
 * for the mapping and the README for the documentation). Invalid values stop start-up with one line
 * that names the environment variable, so an operator never has to read a stack trace.
 */
@ConfigurationProperties("broker")
public record BrokerProperties(
        int port,
        @DurationUnit(ChronoUnit.SECONDS) Duration statusTtl,
        @DurationUnit(ChronoUnit.SECONDS) Duration hookFreshWindow,
        int maxConnectionsPerMesh,
        int maxMessageBytes,
        int hookRateLimitPerMin,
        int joinRateLimitPerIpPerMin,
        int sendRateLimitPerMin,
        int sendRateLimitBurst,
        @DurationUnit(ChronoUnit.SECONDS) Duration messageTtl,
        @DurationUnit(ChronoUnit.SECONDS) Duration messageRetention,
        int outboundQueueFrames,
        @DurationUnit(ChronoUnit.SECONDS) Duration slowConsumerTimeout,
        Path claudeProjectsDir,
        String publicUrl,
        String adminToken,
        String keyEncryptionKey,
        String gitSha) {

    public BrokerProperties {
        requireRange("BROKER_PORT", port, 1, 65_535, "a TCP port between 1 and 65535");
        requirePositive("STATUS_TTL_SECONDS", statusTtl);
        requirePositive("HOOK_FRESH_WINDOW_SECONDS", hookFreshWindow);
        requireRange("MAX_CONNECTIONS_PER_MESH", maxConnectionsPerMesh, 1, 1_000_000, "a positive integer");
        requireRange(
                "MAX_MESSAGE_BYTES",
                maxMessageBytes,
                1_024,
                16 * 1024 * 1024,
                "a byte count between 1024 and 16777216");
        requireRange("HOOK_RATE_LIMIT_PER_MIN", hookRateLimitPerMin, 1, 1_000_000, "a positive integer");
        requireRange("JOIN_RATE_LIMIT_PER_IP_PER_MIN", joinRateLimitPerIpPerMin, 1, 1_000_000, "a positive integer");
        requireRange("SEND_RATE_LIMIT_PER_MIN", sendRateLimitPerMin, 1, 100_000_000, "a positive integer");
        requireRange("SEND_RATE_LIMIT_BURST", sendRateLimitBurst, 1, 100_000_000, "a positive integer");
        requirePositive("MESSAGE_TTL_SECONDS", messageTtl);
        requirePositive("MESSAGE_RETENTION_SECONDS", messageRetention);
        requireRange("OUTBOUND_QUEUE_FRAMES", outboundQueueFrames, 1, 1_000_000, "a positive integer");
        requirePositive("SLOW_CONSUMER_TIMEOUT_SECONDS", slowConsumerTimeout);
        if (claudeProjectsDir == null) {
            throw new InvalidConfigurationException("CLAUDE_PROJECTS_DIR must be a directory path");
        }
        publicUrl = blankToNull(publicUrl);
        if (publicUrl != null && !isWebSocketUrl(publicUrl)) {
            throw new InvalidConfigurationException(
                    "BROKER_PUBLIC_URL must be a ws:// or wss:// URL such as wss://broker.example.com/ws");
        }
        adminToken = blankToNull(adminToken);
        if (adminToken != null && adminToken.length() < 16) {
            throw new InvalidConfigurationException("BROKER_ADMIN_TOKEN must be at least 16 characters long");
        }
        keyEncryptionKey = blankToNull(keyEncryptionKey);
        gitSha = blankToNull(gitSha);
    }

    public Optional<String> publicUrlIfSet() {
        return Optional.ofNullable(publicUrl);
    }

    public Optional<String> adminTokenIfSet() {
        return Optional.ofNullable(adminToken);
    }

    public Optional<String> keyEncryptionKeyIfSet() {
        return Optional.ofNullable(keyEncryptionKey);
    }

    public Optional<String> gitShaIfSet() {
        return Optional.ofNullable(gitSha);
    }

    private static void requireRange(String variable, int value, int min, int max, String expected) {
        if (value < min || value > max) {
            throw new InvalidConfigurationException(variable + " must be " + expected + ", got " + value);
        }
    }

    private static void requirePositive(String variable, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidConfigurationException(variable + " must be a positive number of seconds, got "
                    + (value == null ? "nothing" : value.toSeconds()));
        }
    }

    private static boolean isWebSocketUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
