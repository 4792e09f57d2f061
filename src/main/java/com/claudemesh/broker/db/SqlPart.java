package com.claudemesh.broker.db;

import java.util.List;

/**
 * A piece of SQL with its arguments, owned by one feature and embedded by another into a single
 * statement (e.g. an INSERT as a data-modifying {@code WITH} query): one round trip instead of one
 * per table, while each table's SQL stays with the feature that owns it. {@code String[]} arguments
 * bind as SQL text arrays.
 */
public record SqlPart(String sql, List<Object> arguments) {}
