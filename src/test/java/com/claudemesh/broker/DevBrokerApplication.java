package com.claudemesh.broker;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.springframework.boot.SpringApplication;

/**
 * The developer run ({@code ./mvnw spring-boot:test-run}): the real broker on an embedded real
 * PostgreSQL kept in {@code .dev-data/postgres}, unless {@code DATABASE_URL} is set. It lives in the
 * test sources so the embedded database never reaches the production jar.
 */
public final class DevBrokerApplication {

    private DevBrokerApplication() {}

    public static void main(String[] args) throws IOException {
        if (isBlank(System.getenv("DATABASE_URL"))) {
            Path dataDir = Path.of(".dev-data", "postgres").toAbsolutePath();
            Files.createDirectories(dataDir);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    // Its own shutdown hook would run concurrently with Spring's and stop the
                    // database while the broker still marks its presences disconnected.
                    .setRegisterShutdownHook(false)
                    .start();
            // Spring runs its shutdown handlers after the application context has closed.
            SpringApplication.getShutdownHandlers().add(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // exiting anyway
                }
            });
            System.setProperty("spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"));
            System.setProperty("spring.datasource.username", "postgres");
            System.out.println("dev run: embedded PostgreSQL on port " + postgres.getPort() + " (DATABASE_URL="
                    + "postgres://postgres@127.0.0.1:" + postgres.getPort() + "/postgres), data directory "
                    + dataDir);
        }
        if (isBlank(System.getenv("BROKER_ADMIN_TOKEN"))) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            System.setProperty("broker.admin-token", token);
            System.out.println("dev run: admin token (Authorization: Bearer ...) " + token);
        }
        SpringApplication.run(BrokerApplication.class, args);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
