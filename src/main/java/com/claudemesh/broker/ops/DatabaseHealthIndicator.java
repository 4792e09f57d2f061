package com.claudemesh.broker.ops;

import com.claudemesh.broker.db.DatabaseHealth;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Readiness follows the database: a broker that cannot store envelopes should get no traffic. */
@Component("database")
class DatabaseHealthIndicator implements HealthIndicator {

    private final DatabaseHealth database;
    private final DatabaseMigrations migrations;

    DatabaseHealthIndicator(DatabaseHealth database, DatabaseMigrations migrations) {
        this.database = database;
        this.migrations = migrations;
    }

    @Override
    public Health health() {
        return database.isUp() && migrations.schemaReady()
                ? Health.up().build()
                : Health.down().build();
    }
}
