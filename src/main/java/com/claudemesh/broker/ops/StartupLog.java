package com.claudemesh.broker.ops;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.config.Cidr;
import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The one start-up line: what runs (version, commit), where (port, database host — never its
 * credentials), and with which effective limits, so that an operator reads the whole picture from
 * the first line of a log search.
 */
@Component
class StartupLog {

    private static final Logger log = LoggerFactory.getLogger(StartupLog.class);

    private final BuildIdentity build;
    private final BrokerProperties properties;
    private final Environment environment;

    StartupLog(BuildIdentity build, BrokerProperties properties, Environment environment) {
        this.build = build;
        this.properties = properties;
        this.environment = environment;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        // One-shot commands (--backfill-keys, …) run without a web server: nothing listens then.
        if (!(event.getApplicationContext() instanceof WebServerApplicationContext web) || web.getWebServer() == null) {
            return;
        }
        int port = web.getWebServer().getPort();
        String database = databaseLocation(environment.getProperty("spring.datasource.url"));
        log.atInfo()
                .addKeyValue("version", build.version())
                .addKeyValue("git_sha", build.gitSha())
                .addKeyValue("port", port)
                .addKeyValue("database", database)
                .addKeyValue("public_url", properties.publicUrlIfSet().orElse("unset"))
                .addKeyValue("admin_api", properties.adminTokenIfSet().isPresent() ? "enabled" : "disabled")
                .addKeyValue(
                        "key_encryption", properties.keyEncryptionKeyIfSet().isPresent() ? "enabled" : "disabled")
                .addKeyValue("max_connections_per_mesh", properties.maxConnectionsPerMesh())
                .addKeyValue("max_sockets", properties.maxSockets())
                .addKeyValue("trusted_proxies", ranges(properties.trustedProxyRanges()))
                .addKeyValue("hook_mode", properties.hookMode().wire())
                .addKeyValue("max_message_bytes", properties.maxMessageBytes())
                .addKeyValue("send_rate_limit_per_min", properties.sendRateLimitPerMin())
                .addKeyValue("send_rate_limit_burst", properties.sendRateLimitBurst())
                .addKeyValue("hook_rate_limit_per_min", properties.hookRateLimitPerMin())
                .addKeyValue("join_rate_limit_per_ip_per_min", properties.joinRateLimitPerIpPerMin())
                .addKeyValue("outbound_queue_frames", properties.outboundQueueFrames())
                .addKeyValue(
                        "slow_consumer_timeout_s",
                        properties.slowConsumerTimeout().toSeconds())
                .addKeyValue("message_ttl_s", properties.messageTtl().toSeconds())
                .addKeyValue(
                        "message_retention_s", properties.messageRetention().toSeconds())
                .addKeyValue("status_ttl_s", properties.statusTtl().toSeconds())
                .addKeyValue(
                        "database_pool_size", environment.getProperty("spring.datasource.hikari.maximum-pool-size"))
                .addKeyValue("startup_ms", event.getTimeTaken().toMillis())
                .log(
                        "claudemesh broker {} listening on port {} (HTTP and WebSocket /ws), database {}",
                        build.version(),
                        port,
                        database);
    }

    private static String ranges(List<Cidr> ranges) {
        return ranges.isEmpty() ? "none" : ranges.stream().map(Cidr::toString).collect(Collectors.joining(","));
    }

    /** {@code host:port/database} of a JDBC URL: no user, no password, no query parameters. */
    static String databaseLocation(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
            return "unknown";
        }
        try {
            URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
            String path = uri.getPath() == null ? "" : uri.getPath();
            return uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort()) + path;
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }
}
