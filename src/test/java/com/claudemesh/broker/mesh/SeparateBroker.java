package com.claudemesh.broker.mesh;

import com.claudemesh.broker.BrokerApplication;
import com.claudemesh.broker.support.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A broker with other settings than the shared test context (admin token unset, an encryption key),
 * on its own {@code cmtest_*} database. Settings are passed as command-line arguments so they win
 * over environment variables of the machine running the tests.
 */
public final class SeparateBroker {

    private SeparateBroker() {}

    public static TestDatabase.Endpoint newDatabase() {
        return TestDatabase.createDatabase("cmtest");
    }

    /** Arguments pointing a broker at {@code db} on a random port, plus {@code settings}. */
    public static String[] arguments(TestDatabase.Endpoint db, String... settings) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + (db.password() == null ? "" : db.password()),
                "--server.port=0",
                "--broker.claude-projects-dir=" + System.getProperty("java.io.tmpdir") + "/claudemesh-test-projects",
                "--logging.structured.format.console="));
        for (String setting : settings) {
            args.add("--" + setting);
        }
        return args.toArray(String[]::new);
    }

    public static ConfigurableApplicationContext start(TestDatabase.Endpoint db, String... settings) {
        return new SpringApplicationBuilder(BrokerApplication.class).run(arguments(db, settings));
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public static void drop(TestDatabase.Endpoint db) throws SQLException {
        String name = db.jdbcUrl().substring(db.jdbcUrl().lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        try (Connection c = TestDatabase.shared().open();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
