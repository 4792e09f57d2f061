package com.claudemesh.broker.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Translates the {@code DATABASE_URL} form that Heroku-style platforms and Coolify hand out
 * ({@code postgres://user:pass@host:port/db?sslmode=require}) into what the PostgreSQL JDBC driver
 * expects: a {@code jdbc:postgresql://} URL with the query parameters kept, and the credentials
 * separate (URL-decoded, so passwords with reserved characters work).
 */
public record DatabaseUrl(String jdbcUrl, String username, String password) {

    private static final String EXPECTED = "DATABASE_URL must look like postgres://user:password@host:5432/database";

    public static DatabaseUrl parse(String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigurationException(EXPECTED + ", got nothing");
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new InvalidConfigurationException(EXPECTED + " (it is not a valid URL)");
        }
        String scheme = uri.getScheme();
        if (!"postgres".equals(scheme) && !"postgresql".equals(scheme)) {
            throw new InvalidConfigurationException(EXPECTED + ", got scheme '" + (scheme == null ? "" : scheme)
                    + "://' (only postgres:// and postgresql://)");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new InvalidConfigurationException(EXPECTED + " (the host is missing)");
        }
        String path = uri.getRawPath();
        if (path == null || path.length() <= 1) {
            throw new InvalidConfigurationException(EXPECTED + " (the database name is missing)");
        }
        String database = path.substring(1);
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://")
                .append(uri.getHost())
                .append(':')
                .append(port)
                .append('/')
                .append(database);
        if (uri.getRawQuery() != null && !uri.getRawQuery().isBlank()) {
            jdbc.append('?').append(uri.getRawQuery());
        }
        String username = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        return new DatabaseUrl(jdbc.toString(), username, password);
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
