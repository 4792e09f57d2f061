package com.claudemesh.broker.session;

import com.claudemesh.broker.BrokerApplication;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.TestDatabase;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Another broker process's worth of application on the same test database and its own port. */
final class SecondBroker implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private SecondBroker(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static SecondBroker start() {
        TestDatabase.Endpoint db = TestDatabase.shared();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(BrokerApplication.class)
                .properties(
                        "server.port=0",
                        "spring.datasource.url=" + db.jdbcUrl(),
                        "spring.datasource.username=" + db.username(),
                        "spring.datasource.password=" + (db.password() == null ? "" : db.password()),
                        "broker.admin-token=" + BrokerIntegrationTest.ADMIN_TOKEN,
                        "broker.claude-projects-dir=" + System.getProperty("java.io.tmpdir"),
                        "logging.structured.format.console=",
                        "spring.jmx.enabled=false")
                .run();
        return new SecondBroker(context);
    }

    int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Override
    public void close() {
        context.close();
    }
}
