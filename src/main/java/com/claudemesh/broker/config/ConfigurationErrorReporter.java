package com.claudemesh.broker.config;

import org.springframework.boot.SpringBootExceptionReporter;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports configuration mistakes as one line on stderr that names the environment variable and
 * what it expects, instead of Spring's multi-line failure analysis and stack trace. Failures that are
 * not configuration mistakes are left to Spring Boot's own reporting.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConfigurationErrorReporter implements SpringBootExceptionReporter {

    @Override
    public boolean reportException(Throwable failure) {
        String line = describe(failure);
        if (line == null) {
            return false;
        }
        System.err.println("claudemesh-broker: cannot start: " + line);
        return true;
    }

    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationException invalid) {
                return invalid.getMessage();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // A value set as a property (not as its environment variable) that does not convert.
            if (t instanceof BindException bind && bind.getProperty() != null) {
                String property = bind.getProperty().getName().toString();
                Object value = bind.getProperty().getValue();
                return WholeNumberSetting.byProperty(property)
                        .map(setting -> setting.invalid("'" + value + "'").getMessage())
                        .orElse(property + " has an invalid value: '" + value + "'");
            }
        }
        return null;
    }
}
