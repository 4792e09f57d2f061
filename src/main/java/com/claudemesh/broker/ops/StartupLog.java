package com.claudemesh.broker.ops;

import com.claudemesh.broker.config.BrokerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** One line when the broker is ready, so an operator sees what runs where. */
@Component
class StartupLog {

    private static final Logger log = LoggerFactory.getLogger(StartupLog.class);

    private final BuildIdentity build;
    private final BrokerProperties properties;

    StartupLog(BuildIdentity build, BrokerProperties properties) {
        this.build = build;
        this.properties = properties;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort()
                : properties.port();
        log.atInfo()
                .addKeyValue("port", port)
                .addKeyValue("version", build.version())
                .addKeyValue("git_sha", build.gitSha())
                .log("claudemesh broker listening on port {} (HTTP and WebSocket /ws)", port);
    }
}
