package com.claudemesh.broker.support;

import com.claudemesh.broker.config.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real PostgreSQL server every database test uses, chosen once per JVM: {@code
 * TEST_DATABASE_URL} when set (CI points it at a fresh database on the machine's server), else a
 * Testcontainers container when Docker is available, else an embedded PostgreSQL.
 */
public final class TestDatabase {

    public record Endpoint(String jdbcUrl, String username, String password) {

        public java.sql.Connection open() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, username, password);
        }

        public String databaseName() {
            int slash = jdbcUrl.lastIndexOf('/');
            int query = jdbcUrl.indexOf('?', slash);
            return query < 0 ? jdbcUrl.substring(slash + 1) : jdbcUrl.substring(slash + 1, query);
        }

        /** The same server, another database. */
        public Endpoint withDatabase(String database) {
            int slash = jdbcUrl.lastIndexOf('/');
            int query = jdbcUrl.indexOf('?', slash);
            String rest = query < 0 ? "" : jdbcUrl.substring(query);
            return new Endpoint(jdbcUrl.substring(0, slash + 1) + database + rest, username, password);
        }
    }

    private static Endpoint shared;

    private TestDatabase() {}

    public static synchronized Endpoint shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /**
     * A new, empty database on the shared server, for tests that need their own schema history. Its
     * name starts with the shared database's name, so CI drops exactly the databases of its own run.
     */
    public static Endpoint createDatabase(String prefix) {
        String name = shared().databaseName() + "_" + prefix + "_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (java.sql.Connection c = shared().open();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return shared().withDatabase(name);
    }

    private static Endpoint start() {
        String url = System.getenv("TEST_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            DatabaseUrl parsed = DatabaseUrl.parse(url);
            return new Endpoint(parsed.jdbcUrl(), parsed.username(), parsed.password());
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            return new Endpoint(container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(embedded)));
            return new Endpoint(embedded.getJdbcUrl("postgres", "postgres"), "postgres", null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL; set TEST_DATABASE_URL", e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void closeQuietly(EmbeddedPostgres embedded) {
        try {
            embedded.close();
        } catch (IOException ignored) {
            // the JVM is exiting
        }
    }
}
