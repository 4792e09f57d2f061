package com.claudemesh.broker.support;

import com.claudemesh.broker.config.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real PostgreSQL server every database test uses, chosen once per JVM: {@code
 * TEST_DATABASE_URL} when set (CI points it at a fresh database on the machine's server), else a
 * Testcontainers container when Docker is available, else an embedded PostgreSQL. It says once, at
 * INFO, which one the tests use. Whether Docker runs is asked quietly first: Testcontainers logs
 * ERROR lines when it finds no Docker, which a normal run without Docker must not show.
 */
public final class TestDatabase {

    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);

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
            Endpoint endpoint = new Endpoint(parsed.jdbcUrl(), parsed.username(), parsed.password());
            log.info("Tests use the PostgreSQL of TEST_DATABASE_URL, database {}", endpoint.databaseName());
            return endpoint;
        }
        if (dockerAnswers() && dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            log.info("Tests use PostgreSQL in a Testcontainers container (postgres:17-alpine)");
            return new Endpoint(container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(embedded)));
            log.info(
                    "Tests use an embedded PostgreSQL on port {} (no TEST_DATABASE_URL, no Docker)",
                    embedded.getPort());
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

    /**
     * Whether a Docker daemon answers {@code /_ping} at {@code DOCKER_HOST} or one of the usual
     * sockets (system, rootless, Docker Desktop, Colima, Rancher Desktop).
     */
    private static boolean dockerAnswers() {
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost != null && dockerHost.startsWith("tcp://")) {
            URI uri = URI.create(dockerHost);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        List<Path> sockets = new ArrayList<>();
        if (dockerHost != null && dockerHost.startsWith("unix://")) {
            sockets.add(Path.of(dockerHost.substring("unix://".length())));
        }
        String home = System.getProperty("user.home");
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        sockets.add(Path.of("/var/run/docker.sock"));
        if (runtimeDir != null) {
            sockets.add(Path.of(runtimeDir, "docker.sock"));
        }
        sockets.add(Path.of(home, ".docker", "run", "docker.sock"));
        sockets.add(Path.of(home, ".docker", "desktop", "docker.sock"));
        sockets.add(Path.of(home, ".colima", "default", "docker.sock"));
        sockets.add(Path.of(home, ".rd", "docker.sock"));
        return sockets.stream().filter(Files::exists).anyMatch(TestDatabase::pingAnswers);
    }

    /** Bounded: a socket that accepts but never answers must not hang the test run. */
    private static boolean pingAnswers(Path socket) {
        return CompletableFuture.supplyAsync(
                        () -> ping(socket), runnable -> Thread.ofVirtual().start(runnable))
                .completeOnTimeout(false, 2, TimeUnit.SECONDS)
                .join();
    }

    private static boolean ping(Path socket) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(
                    ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer reply = ByteBuffer.allocate(64);
            channel.read(reply);
            return new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.");
        } catch (IOException | RuntimeException e) {
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
