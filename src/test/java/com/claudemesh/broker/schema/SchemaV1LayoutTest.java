package com.claudemesh.broker.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL Part C: migration V1 alone creates exactly the claudemesh v1 layout on an empty
 * database — the seven enum types, the seven tables with their columns, the unique constraints and
 * the cascading foreign keys — and no foreign key to public."user".
 */
class SchemaV1LayoutTest {

    private static TestDatabase.Endpoint db;

    @BeforeAll
    static void migrateToV1() {
        db = TestDatabase.createDatabase("cmtest");
        flyway(db).target("1").load().migrate();
    }

    static org.flywaydb.core.api.configuration.FluentConfiguration flyway(TestDatabase.Endpoint db) {
        return Flyway.configure()
                .dataSource(db.jdbcUrl(), db.username(), db.password())
                .schemas("mesh")
                .defaultSchema("mesh")
                .baselineOnMigrate(true)
                .baselineVersion("1");
    }

    @Test
    void createsTheSevenEnumTypesWithTheirLabels() throws SQLException {
        Map<String, List<String>> enums = new LinkedHashMap<>();
        query(
                """
                SELECT t.typname, e.enumlabel FROM pg_type t
                JOIN pg_enum e ON e.enumtypid = t.oid
                JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = 'mesh' ORDER BY t.typname, e.enumsortorder
                """,
                rs -> enums.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(rs.getString(2)));

        assertThat(enums)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "visibility", List.of("private", "public"),
                        "transport", List.of("managed", "tailscale", "self_hosted"),
                        "tier", List.of("free", "pro", "team", "enterprise"),
                        "role", List.of("admin", "member"),
                        "presence_status", List.of("idle", "working", "dnd"),
                        "presence_status_source", List.of("hook", "manual", "jsonl"),
                        "message_priority", List.of("now", "next", "low")));
    }

    @Test
    void createsTheSevenTablesWithExactlyTheV1Columns() throws SQLException {
        Map<String, List<String>> columns = new LinkedHashMap<>();
        query(
                """
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = 'mesh' AND table_name <> 'flyway_schema_history'
                ORDER BY table_name, ordinal_position
                """,
                rs -> columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(rs.getString(2)));

        assertThat(columns)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "mesh",
                                List.of(
                                        "id",
                                        "name",
                                        "slug",
                                        "owner_user_id",
                                        "visibility",
                                        "transport",
                                        "max_peers",
                                        "tier",
                                        "owner_pubkey",
                                        "owner_secret_key",
                                        "root_key",
                                        "created_at",
                                        "archived_at"),
                        "member",
                                List.of(
                                        "id",
                                        "mesh_id",
                                        "user_id",
                                        "peer_pubkey",
                                        "display_name",
                                        "role",
                                        "joined_at",
                                        "last_seen_at",
                                        "revoked_at"),
                        "invite",
                                List.of(
                                        "id",
                                        "mesh_id",
                                        "token",
                                        "token_bytes",
                                        "max_uses",
                                        "used_count",
                                        "role",
                                        "expires_at",
                                        "created_by",
                                        "created_at",
                                        "revoked_at"),
                        "audit_log",
                                List.of(
                                        "id",
                                        "mesh_id",
                                        "event_type",
                                        "actor_peer_id",
                                        "target_peer_id",
                                        "metadata",
                                        "created_at"),
                        "presence",
                                List.of(
                                        "id",
                                        "member_id",
                                        "session_id",
                                        "pid",
                                        "cwd",
                                        "status",
                                        "status_source",
                                        "status_updated_at",
                                        "connected_at",
                                        "last_ping_at",
                                        "disconnected_at"),
                        "message_queue",
                                List.of(
                                        "id",
                                        "mesh_id",
                                        "sender_member_id",
                                        "target_spec",
                                        "priority",
                                        "nonce",
                                        "ciphertext",
                                        "created_at",
                                        "delivered_at",
                                        "expires_at"),
                        "pending_status",
                                List.of("id", "pid", "cwd", "status", "status_source", "created_at", "applied_at")));
    }

    @Test
    void timestampsAreWithoutTimeZoneAndEnumsUseTheirTypes() throws SQLException {
        List<String> wrong = new ArrayList<>();
        query("""
                SELECT table_name, column_name, data_type, udt_name FROM information_schema.columns
                WHERE table_schema = 'mesh' AND table_name <> 'flyway_schema_history'
                """, rs -> {
            String column = rs.getString(2);
            String type = rs.getString(3);
            if ((column.endsWith("_at")) && !type.equals("timestamp without time zone")) {
                wrong.add(rs.getString(1) + "." + column + " is " + type);
            }
        });
        assertThat(wrong).isEmpty();
        assertThat(udt("mesh", "visibility")).isEqualTo("visibility");
        assertThat(udt("member", "role")).isEqualTo("role");
        assertThat(udt("presence", "status")).isEqualTo("presence_status");
        assertThat(udt("presence", "status_source")).isEqualTo("presence_status_source");
        assertThat(udt("message_queue", "priority")).isEqualTo("message_priority");
        assertThat(udt("audit_log", "metadata")).isEqualTo("jsonb");
    }

    @Test
    void hasTheUniqueConstraintsAndDefaults() throws SQLException {
        List<String> unique = new ArrayList<>();
        query("""
                SELECT rel.relname || '.' || a.attname FROM pg_constraint c
                JOIN pg_class rel ON rel.oid = c.conrelid
                JOIN pg_namespace n ON n.oid = rel.relnamespace
                JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum = ANY (c.conkey)
                WHERE n.nspname = 'mesh' AND c.contype = 'u'
                """, rs -> unique.add(rs.getString(1)));
        assertThat(unique).containsExactlyInAnyOrder("mesh.slug", "invite.token");
        assertThat(columnDefault("invite", "max_uses")).isEqualTo("1");
        assertThat(columnDefault("invite", "used_count")).isEqualTo("0");
        assertThat(columnDefault("presence", "status")).contains("idle");
        assertThat(columnDefault("presence", "status_source")).contains("jsonl");
    }

    @Test
    void foreignKeysCascadeBetweenMeshTablesAndNoneReachPublicUser() throws SQLException {
        List<String> keys = new ArrayList<>();
        query("""
                SELECT rel.relname || '.' || a.attname || '->' || ref.relname || ':' || c.confdeltype::text
                FROM pg_constraint c
                JOIN pg_class rel ON rel.oid = c.conrelid
                JOIN pg_class ref ON ref.oid = c.confrelid
                JOIN pg_namespace n ON n.oid = rel.relnamespace
                JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum = ANY (c.conkey)
                WHERE n.nspname = 'mesh' AND c.contype = 'f'
                """, rs -> keys.add(rs.getString(1)));

        assertThat(keys)
                .containsExactlyInAnyOrder(
                        "member.mesh_id->mesh:c",
                        "invite.mesh_id->mesh:c",
                        "audit_log.mesh_id->mesh:c",
                        "presence.member_id->member:c",
                        "message_queue.mesh_id->mesh:c",
                        "message_queue.sender_member_id->member:c");
    }

    private String udt(String table, String column) throws SQLException {
        List<String> result = new ArrayList<>();
        query(
                "SELECT udt_name FROM information_schema.columns WHERE table_schema = 'mesh' AND table_name = '" + table
                        + "' AND column_name = '" + column + "'",
                rs -> result.add(rs.getString(1)));
        return result.getFirst();
    }

    private String columnDefault(String table, String column) throws SQLException {
        List<String> result = new ArrayList<>();
        query(
                "SELECT column_default FROM information_schema.columns WHERE table_schema = 'mesh' AND table_name = '"
                        + table + "' AND column_name = '" + column + "'",
                rs -> result.add(rs.getString(1)));
        return result.getFirst();
    }

    interface RowConsumer {
        void accept(ResultSet rs) throws SQLException;
    }

    private static void query(String sql, RowConsumer consumer) throws SQLException {
        try (Connection c = db.open();
                var statement = c.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                consumer.accept(rs);
            }
        }
    }
}
