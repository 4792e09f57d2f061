package com.claudemesh.broker.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL Part C: a database the claudemesh web app already uses (its mesh tables, rows, a
 * public."user" table with foreign keys to it, no Flyway history) is recognised: V1 is baselined,
 * not run, later migrations apply on top, and no existing row or foreign key changes.
 */
class ExistingClaudemeshDatabaseTest {

    private TestDatabase.Endpoint db;

    @BeforeEach
    void createExistingDatabase() throws Exception {
        db = TestDatabase.createDatabase("cmtest");
        String ddl;
        try (var in = getClass().getResourceAsStream("/schema/claudemesh-existing-database.sql")) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(ddl);
        }
    }

    @Test
    void baselinesV1KeepsEveryRowAndForeignKeyAndAppliesLaterMigrations() throws Exception {
        List<String> rowsBefore = snapshotRows();
        List<String> userKeysBefore = foreignKeysToPublicUser();
        assertThat(userKeysBefore).hasSize(3);

        try (StandaloneBroker broker = StandaloneBroker.start(db)) {
            assertThat(broker.get("/health").statusCode()).isEqualTo(200);
        }

        List<String> history = strings("SELECT version || ':' || type || ':' || success FROM mesh.flyway_schema_history"
                + " WHERE version IS NOT NULL ORDER BY installed_rank");
        assertThat(history.getFirst()).isEqualTo("1:BASELINE:true");
        assertThat(history).contains("2:SQL:true").allMatch(row -> row.endsWith(":true"));
        assertThat(history.stream().filter(row -> row.startsWith("1:"))).hasSize(1);
        assertThat(snapshotRows()).isEqualTo(rowsBefore);
        assertThat(foreignKeysToPublicUser()).isEqualTo(userKeysBefore);
        assertThat(strings("SELECT indexname FROM pg_indexes WHERE schemaname = 'mesh'"))
                .contains("presence_live_cwd_pid_idx", "message_queue_undelivered_idx");
    }

    @Test
    void aSecondStartFindsNothingToDo() throws Exception {
        try (StandaloneBroker first = StandaloneBroker.start(db)) {
            assertThat(first.get("/health").statusCode()).isEqualTo(200);
        }
        List<String> historyAfterFirst = strings("SELECT installed_rank || version FROM mesh.flyway_schema_history");
        List<String> rows = snapshotRows();

        try (StandaloneBroker second = StandaloneBroker.start(db)) {
            assertThat(second.get("/health").statusCode()).isEqualTo(200);
        }

        assertThat(strings("SELECT installed_rank || version FROM mesh.flyway_schema_history"))
                .isEqualTo(historyAfterFirst);
        assertThat(snapshotRows()).isEqualTo(rows);
    }

    private List<String> snapshotRows() throws SQLException {
        List<String> rows = new ArrayList<>();
        for (String table : List.of(
                "public.\"user\"",
                "mesh.mesh",
                "mesh.member",
                "mesh.invite",
                "mesh.audit_log",
                "mesh.presence",
                "mesh.message_queue",
                "mesh.pending_status")) {
            rows.addAll(strings("SELECT '" + table.replace("\"", "") + " ' || row_to_json(t)::text FROM " + table
                    + " t ORDER BY 1"));
        }
        return rows;
    }

    private List<String> foreignKeysToPublicUser() throws SQLException {
        return strings("""
                SELECT rel.relname || '.' || a.attname FROM pg_constraint c
                JOIN pg_class rel ON rel.oid = c.conrelid
                JOIN pg_class ref ON ref.oid = c.confrelid
                JOIN pg_namespace rn ON rn.oid = ref.relnamespace
                JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum = ANY (c.conkey)
                WHERE c.contype = 'f' AND rn.nspname = 'public' AND ref.relname = 'user'
                ORDER BY 1
                """);
    }

    private List<String> strings(String sql) throws SQLException {
        List<String> result = new ArrayList<>();
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                result.add(rs.getString(1));
            }
        }
        return result;
    }
}
