package com.claudemesh.broker.db;

import java.sql.SQLException;

/**
 * A one-line description of an unexpected failure that is safe to log. Database errors are reduced
 * to their SQLSTATE: PostgreSQL's detail lines quote the failing row, which may hold a secret key, a
 * token or a full public key (PROTOCOL Part D).
 */
public final class LoggableFailure {

    private LoggableFailure() {}

    public static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return failure.getClass().getSimpleName() + " (SQLSTATE " + sql.getSQLState() + ")";
            }
        }
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }
}
