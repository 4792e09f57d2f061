package com.claudemesh.broker.config;

import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Stops start-up when no database is configured, before the context is refreshed — so before the web
 * server starts and before any line is logged. It runs once every property source is in place: the
 * developer run and the tests configure the datasource directly instead of {@code DATABASE_URL}.
 */
class DatabaseRequired implements ApplicationListener<ApplicationPreparedEvent> {

    @Override
    public void onApplicationEvent(ApplicationPreparedEvent event) {
        String url = event.getApplicationContext().getEnvironment().getProperty("spring.datasource.url");
        if (url == null || url.isBlank()) {
            throw new InvalidConfigurationException(
                    "DATABASE_URL is required, for example postgres://user:password@host:5432/database");
        }
    }
}
