package com.claudemesh.broker.ops;

import com.claudemesh.broker.db.DatabaseHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /health} exactly as PROTOCOL A.12. */
@RestController
class HealthController {

    record HealthReply(String status, String db, String version, String gitSha, long uptime) {}

    private final DatabaseHealth database;
    private final DatabaseMigrations migrations;
    private final BuildIdentity build;
    private final Clock clock;
    private final Instant startedAt;

    HealthController(DatabaseHealth database, DatabaseMigrations migrations, BuildIdentity build, Clock clock) {
        this.database = database;
        this.migrations = migrations;
        this.build = build;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    @GetMapping("/health")
    ResponseEntity<HealthReply> health() {
        boolean up = database.isUp() && migrations.schemaReady();
        long uptime = Math.max(0, Duration.between(startedAt, clock.instant()).toSeconds());
        HealthReply reply =
                new HealthReply(up ? "ok" : "degraded", up ? "up" : "down", build.version(), build.gitSha(), uptime);
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(reply);
    }
}
