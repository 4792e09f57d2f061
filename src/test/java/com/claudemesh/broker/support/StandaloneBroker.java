package com.claudemesh.broker.support;

import com.claudemesh.broker.BrokerApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A whole broker started outside the shared test context, for tests that need their own database
 * or settings (migrations, outages, start-up failures, shutdown). Close it at the end of the test.
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
        List<String> properties = new ArrayList<>(List.of(
                "server.port=0",
                "spring.datasource.url=" + db.jdbcUrl(),
                "spring.datasource.username=" + db.username(),
                "spring.datasource.password=" + (db.password() == null ? "" : db.password()),
                "broker.admin-token=" + BrokerIntegrationTest.ADMIN_TOKEN,
                "logging.structured.format.console="));
        properties.addAll(List.of(extra));
        List<Class<?>> sources = new ArrayList<>();
        sources.add(BrokerApplication.class);
        sources.addAll(extraSources);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
                .properties(properties.toArray(String[]::new))
                .run();
        return new StandaloneBroker(context);
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
