package com.claudemesh.broker.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Spring context shape of the integration tests: the whole broker on a random port against the
 * shared real PostgreSQL ({@link TestDatabase}), with a {@link MutableClock}. Keeping tests on this
 * shape lets Spring cache one context for the whole run. Every request of the tests comes from
 * 127.0.0.1, so the per-client and per-member rate limits are lifted here (the limits themselves are
 * tested on the second shape, {@link LimitedBroker}).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "broker.admin-token=" + BrokerIntegrationTest.ADMIN_TOKEN,
            "broker.claude-projects-dir=${java.io.tmpdir}/claudemesh-test-projects",
            "logging.structured.format.console=",
            "broker.send-rate-limit-per-min=" + BrokerIntegrationTest.UNLIMITED,
            "broker.send-rate-limit-burst=" + BrokerIntegrationTest.UNLIMITED,
            "broker.join-rate-limit-per-ip-per-min=" + BrokerIntegrationTest.UNLIMITED,
            "broker.hello-rate-limit-per-ip-per-min=" + BrokerIntegrationTest.UNLIMITED,
            "broker.max-pending-sockets-per-ip=" + BrokerIntegrationTest.UNLIMITED,
            "broker.max-frames-per-second=" + BrokerIntegrationTest.UNLIMITED
        })
@Import(TestClockConfiguration.class)
public abstract class BrokerIntegrationTest {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
    /** The largest value the limits accept. */
    public static final String UNLIMITED = "100000000";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.Endpoint db = TestDatabase.shared();
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", () -> db.password() == null ? "" : db.password());
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected MutableClock clock;

    protected final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void resetClock() {
        clock.reset();
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    protected HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> postJson(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Empties every broker table; tests that need a clean slate call it in their own setup. */
    protected void truncateAll() {
        jdbc.execute("TRUNCATE mesh.mesh, mesh.pending_status CASCADE");
    }
}
