package com.claudemesh.broker.ops;

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

    StartupLog(BuildIdentity build) {
        this.build = build;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        // One-shot commands (--backfill-keys, …) run without a web server: nothing listens then.
        if (!(event.getApplicationContext() instanceof WebServerApplicationContext web) || web.getWebServer() == null) {
            return;
        }
        int port = web.getWebServer().getPort();
        log.atInfo()
                .addKeyValue("port", port)
                .addKeyValue("version", build.version())
                .addKeyValue("git_sha", build.gitSha())
                .log("claudemesh broker listening on port {} (HTTP and WebSocket /ws)", port);
    }
}
