package com.claudemesh.broker.db;

import java.util.function.Supplier;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * What a writer knows of the database without asking it. While PostgreSQL is known not to answer,
 * nothing waits for it: every wait would last the pool's connection timeout (5 s) and end in the
 * same failure, and a session's reader waiting behind its sends would stop reading pongs and
 * frames that need no database at all. {@link DatabaseHealth} is the one implementation.
 */
public interface Reachability {

    /** True while the last word on the database is that it does not answer; never blocks. */
    boolean knownDown();

    /** A caller found no database ({@link GroupCommit#unavailable}); other failures are ignored. */
    void failed(Throwable failure);

    /**
     * A database call made through what is known: while the database is known down it is not made
     * but fails at once ({@link #knownDownFailure}); a failure to reach the database is reported.
     */
    default <T> T attempt(Supplier<T> call) {
        if (knownDown()) {
            throw knownDownFailure();
        }
        try {
            return call.get();
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        }
    }

    /** The failure a caller gets, without waiting, while the database is known down. */
    static DataAccessResourceFailureException knownDownFailure() {
        return new DataAccessResourceFailureException("the database does not answer (known down)");
    }
}
