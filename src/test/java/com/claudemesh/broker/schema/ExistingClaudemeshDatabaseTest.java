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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL Part C: a database the claudemesh web app already uses (its mesh tables, rows, a
 * public."user" table with foreign keys to it, no Flyway history) is recognised: V1 is baselined,
 * not run, later migrations apply on top, and no existing row or foreign key changes.
 */
class ExistingClaudemeshDatabaseTest {

    /** The fixture's envelopes are months old: keep the retention job from purging them (A.6). */
    private static final String[] KEEP_OLD_ENVELOPES = {"broker.message-ttl=3650d", "broker.message-retention=3650d"};

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

        try (StandaloneBroker broker = StandaloneBroker.start(db, KEEP_OLD_ENVELOPES)) {
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
                .contains("presence_live_cwd_pid_idx", "delivery_pending_idx")
                .doesNotContain("message_queue_undelivered_idx", "message_queue_created_idx");
    }

    @Test
    void aSecondStartFindsNothingToDo() throws Exception {
        try (StandaloneBroker first = StandaloneBroker.start(db, KEEP_OLD_ENVELOPES)) {
            assertThat(first.get("/health").statusCode()).isEqualTo(200);
        }
        List<String> historyAfterFirst = strings("SELECT installed_rank || version FROM mesh.flyway_schema_history");
        List<String> rows = snapshotRows();

        try (StandaloneBroker second = StandaloneBroker.start(db, KEEP_OLD_ENVELOPES)) {
            assertThat(second.get("/health").statusCode()).isEqualTo(200);
        }

        assertThat(strings("SELECT installed_rank || version FROM mesh.flyway_schema_history"))
                .isEqualTo(historyAfterFirst);
        assertThat(snapshotRows()).isEqualTo(rows);
    }

    /**
     * Every row in its v1 columns. Later migrations may add columns; they must not change what the
     * v1 columns hold. pending_status is left out: A.9 has the broker delete applied entries.
     */
    private List<String> snapshotRows() throws SQLException {
        Map<String, String> v1Columns = new LinkedHashMap<>();
        v1Columns.put("public.\"user\"", "id, name, email");
        v1Columns.put(
                "mesh.mesh",
                "id, name, slug, owner_user_id, visibility, transport, max_peers, tier, owner_pubkey,"
                        + " owner_secret_key, root_key, created_at, archived_at");
        v1Columns.put(
                "mesh.member",
                "id, mesh_id, user_id, peer_pubkey, display_name, role, joined_at, last_seen_at, revoked_at");
        v1Columns.put(
                "mesh.invite",
                "id, mesh_id, token, token_bytes, max_uses, used_count, role, expires_at, created_by,"
                        + " created_at, revoked_at");
        v1Columns.put("mesh.audit_log", "id, mesh_id, event_type, actor_peer_id, target_peer_id, metadata, created_at");
        v1Columns.put(
                "mesh.presence",
                "id, member_id, session_id, pid, cwd, status, status_source, status_updated_at, connected_at,"
                        + " last_ping_at, disconnected_at");
        v1Columns.put(
                "mesh.message_queue",
                "id, mesh_id, sender_member_id, target_spec, priority, nonce, ciphertext, created_at,"
                        + " delivered_at, expires_at");
        List<String> rows = new ArrayList<>();
        for (Map.Entry<String, String> table : v1Columns.entrySet()) {
            rows.addAll(
                    strings("SELECT '" + table.getKey().replace("\"", "") + " ' || row_to_json(t)::text FROM (SELECT "
                            + table.getValue() + " FROM " + table.getKey() + ") t ORDER BY 1"));
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
