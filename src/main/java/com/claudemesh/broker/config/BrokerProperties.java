package com.claudemesh.broker.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
        int helloRateLimitPerIpPerMin,
        int maxPendingSocketsPerIp,
        int maxSockets,
        int maxFramesPerSecond,
        String trustedProxies,
        String hookAllowedCidrs,
        boolean hookRequireToken,
        Path claudeProjectsDir,
        String publicUrl,
        String adminToken,
        String keyEncryptionKey,
        String gitSha) {

    public BrokerProperties {
        WholeNumberSetting.BROKER_PORT.require(port);
        WholeNumberSetting.STATUS_TTL_SECONDS.require(statusTtl);
        WholeNumberSetting.HOOK_FRESH_WINDOW_SECONDS.require(hookFreshWindow);
        WholeNumberSetting.MAX_CONNECTIONS_PER_MESH.require(maxConnectionsPerMesh);
        WholeNumberSetting.MAX_MESSAGE_BYTES.require(maxMessageBytes);
        WholeNumberSetting.HOOK_RATE_LIMIT_PER_MIN.require(hookRateLimitPerMin);
        WholeNumberSetting.JOIN_RATE_LIMIT_PER_IP_PER_MIN.require(joinRateLimitPerIpPerMin);
        WholeNumberSetting.SEND_RATE_LIMIT_PER_MIN.require(sendRateLimitPerMin);
        WholeNumberSetting.SEND_RATE_LIMIT_BURST.require(sendRateLimitBurst);
        WholeNumberSetting.MESSAGE_TTL_SECONDS.require(messageTtl);
        WholeNumberSetting.MESSAGE_RETENTION_SECONDS.require(messageRetention);
        WholeNumberSetting.OUTBOUND_QUEUE_FRAMES.require(outboundQueueFrames);
        WholeNumberSetting.SLOW_CONSUMER_TIMEOUT_SECONDS.require(slowConsumerTimeout);
        WholeNumberSetting.HELLO_RATE_LIMIT_PER_IP_PER_MIN.require(helloRateLimitPerIpPerMin);
        WholeNumberSetting.MAX_PENDING_SOCKETS_PER_IP.require(maxPendingSocketsPerIp);
        WholeNumberSetting.MAX_SOCKETS.require(maxSockets);
        WholeNumberSetting.MAX_FRAMES_PER_SECOND.require(maxFramesPerSecond);
        trustedProxies = blankToNull(trustedProxies);
        Cidr.parseList("TRUSTED_PROXIES", trustedProxies);
        hookAllowedCidrs =
                hookAllowedCidrs == null || hookAllowedCidrs.isBlank() ? ALL_ADDRESSES : hookAllowedCidrs.trim();
        Cidr.parseList("HOOK_ALLOWED_CIDRS", hookAllowedCidrs);
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

    /** Every address: the v1 default of {@code HOOK_ALLOWED_CIDRS}. */
    static final String ALL_ADDRESSES = "0.0.0.0/0,::/0";

    /** Proxies whose {@code X-Forwarded-For} / {@code Forwarded} headers name the client (none by default). */
    public List<Cidr> trustedProxyRanges() {
        return Cidr.parseList("TRUSTED_PROXIES", trustedProxies);
    }

    /** Client addresses {@code /hook/set-status} takes requests without a token from (everything by default). */
    public List<Cidr> hookAllowedRanges() {
        return Cidr.parseList("HOOK_ALLOWED_CIDRS", hookAllowedCidrs);
    }

    public HookMode hookMode() {
        return HookMode.of(hookAllowedRanges(), hookRequireToken);
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
