package com.claudemesh.broker.support;

import com.claudemesh.broker.BrokerApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A whole broker started outside the shared test context, for tests that need their own database
 * or settings (migrations, outages, start-up failures, shutdown, an unset admin token, an encryption
 * key). Settings are command-line arguments, so they win over environment variables of the machine
 * running the tests. Close it at the end of the test.
 */
public final class StandaloneBroker implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private StandaloneBroker(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static StandaloneBroker start(TestDatabase.Endpoint db, String... extraProperties) {
        return start(db, List.of(), extraProperties);
    }

    public static StandaloneBroker start(TestDatabase.Endpoint db, List<Class<?>> extraSources, String... extra) {
        List<Class<?>> sources = new ArrayList<>();
        sources.add(BrokerApplication.class);
        sources.addAll(extraSources);
        // Logback is one per JVM, and Spring Boot configures it only if no running application has:
        // beside the cached test contexts, a broker would log in their format instead of its own
        // (SecretsNeverLoggedTest and StructuredLoggingTest read its structured lines).
        LoggingSystem.get(StandaloneBroker.class.getClassLoader()).cleanUp();
        return new StandaloneBroker(
                new SpringApplicationBuilder(sources.toArray(Class<?>[]::new)).run(arguments(db, extra)));
    }

    /** A new empty database of its own ({@code <shared>_cmtest_*}); drop it with {@link #drop}. */
    public static TestDatabase.Endpoint newDatabase() {
        return TestDatabase.createDatabase("cmtest");
    }

    public static void drop(TestDatabase.Endpoint db) throws SQLException {
        try (Connection c = TestDatabase.shared().open();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db.databaseName() + " WITH (FORCE)");
        }
    }

    /**
     * The command line of a broker on {@code db} (random port, the test admin token, no structured
     * logs) with {@code extra} settings ({@code name=value}) on top, for the broker and its one-shot
     * commands. Command-line arguments outrank application.properties (server.port=${broker.port}).
     */
    public static String[] arguments(TestDatabase.Endpoint db, String... extra) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("server.port", "0");
        properties.put("spring.datasource.url", db.jdbcUrl());
        properties.put("spring.datasource.username", db.username());
        properties.put("spring.datasource.password", db.password() == null ? "" : db.password());
        properties.put("broker.admin-token", BrokerIntegrationTest.ADMIN_TOKEN);
        properties.put(
                "broker.claude-projects-dir", System.getProperty("java.io.tmpdir") + "/claudemesh-test-projects");
        properties.put("logging.structured.format.console", "");
        properties.put("spring.jmx.enabled", "false");
        for (String property : extra) {
            int equals = property.indexOf('=');
            properties.put(property.substring(0, equals), property.substring(equals + 1));
        }
        return properties.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        context.close();
    }
}
