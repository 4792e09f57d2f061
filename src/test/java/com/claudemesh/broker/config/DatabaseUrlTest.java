package com.claudemesh.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PROTOCOL Part D: DATABASE_URL as postgres:// or postgresql:// with the credentials inside. */
class DatabaseUrlTest {

    @Test
    void translatesPostgresUrlToJdbcWithSeparateCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://broker:s3cret@db.internal:6543/claudemesh");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/claudemesh");
        assertThat(url.username()).isEqualTo("broker");
        assertThat(url.password()).isEqualTo("s3cret");
    }

    @Test
    void acceptsPostgresqlSchemeDefaultPortAndKeepsQueryParameters() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://u:p@host/db?sslmode=require&application_name=x");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5432/db?sslmode=require&application_name=x");
    }

    @Test
    void decodesReservedCharactersInTheCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://us%40er:p%3Aa%2Fss+word%25@host:5432/db");

        assertThat(url.username()).isEqualTo("us@er");
        assertThat(url.password()).isEqualTo("p:a/ss+word%");
    }

    @Test
    void allowsAUrlWithoutPassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://postgres@127.0.0.1:5432/test");

        assertThat(url.username()).isEqualTo("postgres");
        assertThat(url.password()).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "mysql://u:p@host:3306/db",
                "jdbc:postgresql://host/db",
                "postgres://u:p@host:5432",
                "postgres:///db",
                "not a url at all",
                ""
            })
    void refusesAnythingElseNamingTheVariable(String value) {
        assertThatThrownBy(() -> DatabaseUrl.parse(value))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("DATABASE_URL must look like postgres://user:password@host:5432/database");
    }
}
