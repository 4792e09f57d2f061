package com.claudemesh.broker.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Checks the broker's whole configuration before anything is built from it, so that a mistake stops
 * start-up with its one line and nothing in front of it: whole numbers first (they also feed Tomcat
 * and the server port, which would otherwise fail with a stack trace), the log level, {@code
 * DATABASE_URL} (which becomes Spring's datasource settings), then every other setting by binding
 * {@link BrokerProperties} once. Whether a database is configured at all is checked a little later
 * ({@link DatabaseRequired}): the dev run and the tests set the datasource without {@code DATABASE_URL}.
 */
class BrokerEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String DATABASE_URL = "DATABASE_URL";
    static final String LOG_LEVEL = "BROKER_LOG_LEVEL";
    static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    static final String HOOK_REQUIRE_TOKEN = "HOOK_REQUIRE_TOKEN";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        for (WholeNumberSetting setting : WholeNumberSetting.values()) {
            setting.checkText(environment.getProperty(setting.name()));
        }
        String level = environment.getProperty(LOG_LEVEL);
        if (level != null && !LOG_LEVELS.contains(level.trim().toUpperCase(Locale.ROOT))) {
            throw new InvalidConfigurationException(
                    LOG_LEVEL + " must be one of " + String.join(", ", LOG_LEVELS) + ", got '" + level + "'");
        }
        String requireToken = environment.getProperty(HOOK_REQUIRE_TOKEN);
        if (requireToken != null
                && !List.of("true", "false").contains(requireToken.trim().toLowerCase(Locale.ROOT))) {
            throw new InvalidConfigurationException(
                    HOOK_REQUIRE_TOKEN + " must be true or false, got '" + requireToken + "'");
        }
        String value = environment.getProperty(DATABASE_URL);
        if (value != null && !value.isBlank()) {
            environment.getPropertySources().addFirst(new MapPropertySource(DATABASE_URL, datasource(value)));
        }
        // The record checks the remaining settings in its constructor; the context binds it again later.
        Binder.get(environment).bindOrCreate("broker", Bindable.of(BrokerProperties.class));
    }

    private static Map<String, Object> datasource(String value) {
        DatabaseUrl url = DatabaseUrl.parse(value);
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", url.jdbcUrl());
        if (url.username() != null) {
            properties.put("spring.datasource.username", url.username());
        }
        if (url.password() != null) {
            properties.put("spring.datasource.password", url.password());
        }
        return properties;
    }
}
