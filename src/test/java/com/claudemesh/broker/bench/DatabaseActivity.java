package com.claudemesh.broker.bench;

import com.claudemesh.broker.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * How much database work a run caused: the broker database's commit and row counters and the row
 * changes per table of schema {@code mesh}, before and after. PostgreSQL publishes a backend's
 * counters at most once a second (an idle backend's after up to 10 s), so the figures of the last
 * moments of a run may be missing: they are an approximate profile, not an exact count.
 */
final class DatabaseActivity {

    /** Counters at one moment; {@link #minus} turns two of them into the activity in between. */
    record Counters(long commits, long rollbacks, long rowsFetched, Map<String, Long> rowChanges) {

        Counters minus(Counters before) {
            Map<String, Long> changes = new TreeMap<>();
            rowChanges.forEach((table, value) -> {
                long delta = value - before.rowChanges.getOrDefault(table, 0L);
                if (delta != 0) {
                    changes.put(table, delta);
                }
            });
            return new Counters(
                    commits - before.commits, rollbacks - before.rollbacks, rowsFetched - before.rowsFetched, changes);
        }
    }

    private final DatabaseUrl url;

    DatabaseActivity(String databaseUrl) {
        this.url = DatabaseUrl.parse(databaseUrl);
    }

    /**
     * Refreshes the planner statistics of the tables the delivery path queries. Without it, on a
     * server whose autovacuum is off, a fresh database keeps the statistics of empty tables and
     * the planner may pick plans that scan every pending delivery.
     */
    void analyze() throws SQLException {
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.username(), url.password());
                Statement s = c.createStatement()) {
            s.execute("ANALYZE mesh.message_queue, mesh.delivery, mesh.presence, mesh.member");
        }
    }

    Counters read() throws SQLException {
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.username(), url.password());
                Statement s = c.createStatement()) {
            long commits;
            long rollbacks;
            long fetched;
            try (ResultSet rs = s.executeQuery("""
                    SELECT xact_commit, xact_rollback, tup_fetched
                    FROM pg_stat_database WHERE datname = current_database()
                    """)) {
                rs.next();
                commits = rs.getLong(1);
                rollbacks = rs.getLong(2);
                fetched = rs.getLong(3);
            }
            Map<String, Long> changes = new TreeMap<>();
            try (ResultSet rs = s.executeQuery("""
                    SELECT relname, n_tup_ins, n_tup_upd, n_tup_del
                    FROM pg_stat_user_tables WHERE schemaname = 'mesh'
                    """)) {
                while (rs.next()) {
                    changes.put(rs.getString(1) + ".inserted", rs.getLong(2));
                    changes.put(rs.getString(1) + ".updated", rs.getLong(3));
                    changes.put(rs.getString(1) + ".deleted", rs.getLong(4));
                }
            }
            return new Counters(commits, rollbacks, fetched, changes);
        }
    }
}
