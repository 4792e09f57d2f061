package com.claudemesh.broker.db;

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

    /** The failure a caller gets, without waiting, while the database is known down. */
    static DataAccessResourceFailureException knownDownFailure() {
        return new DataAccessResourceFailureException("the database does not answer (known down)");
    }
}
