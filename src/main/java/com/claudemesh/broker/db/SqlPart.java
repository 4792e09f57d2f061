package com.claudemesh.broker.db;

import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;
import org.springframework.jdbc.core.PreparedStatementCreator;

/**
 * A piece of SQL with its arguments, owned by one feature and embedded by another into a single
 * statement (e.g. an INSERT as a data-modifying {@code WITH} query): one round trip instead of one
 * per table, while each table's SQL stays with the feature that owns it. {@code String[]} arguments
 * bind as SQL text arrays.
 */
public record SqlPart(String sql, List<Object> arguments) {

    /** A statement of {@code sql}; arguments may be null, {@code String[]} bind as text arrays. */
    public static PreparedStatementCreator statement(String sql, Object... arguments) {
        return new SqlPart(sql, Arrays.asList(arguments)).statement();
    }

    public PreparedStatementCreator statement() {
        return connection -> {
            PreparedStatement ps = connection.prepareStatement(sql);
            for (int i = 0; i < arguments.size(); i++) {
                if (arguments.get(i) instanceof String[] array) {
                    ps.setArray(i + 1, connection.createArrayOf("text", array));
                } else {
                    ps.setObject(i + 1, arguments.get(i));
                }
            }
            return ps;
        };
    }
}
