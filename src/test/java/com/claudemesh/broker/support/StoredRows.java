package com.claudemesh.broker.support;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the broker has stored, to check that hostile input stored nothing: every row of the tables a
 * client can make the broker write (envelopes, deliveries, presences, audit events, pending hook
 * statuses, meshes, members, invites), keyed by primary key, described by table and mesh (audit
 * events also by type) and fingerprinted by content. Tests compare two snapshots: the rows that are
 * new ({@link #addedIn}) and the rows whose content changed ({@link #changedIn}), so a test can say
 * exactly which rows its own legitimate traffic wrote. Rows deleted meanwhile (other tests'
 * background jobs purge) do not count.
 */
public final class StoredRows {

    /**
     * A row's key, its description and a digest of its content. {@code last_ping_at} and {@code
     * last_seen_at} are liveness, not data; an envelope's {@code delivered_at} is set by a job a
     * second after its last delivery is confirmed, so it would report earlier tests' traffic.
     */
    private static final String[] QUERIES = {
        "SELECT 'message_queue:' || q.id, 'message_queue ' || q.mesh_id, md5((to_jsonb(q) - 'delivered_at')::text)"
                + " FROM mesh.message_queue q",
        "SELECT 'delivery:' || d.message_id || '/' || d.member_id, 'delivery ' || m.mesh_id, md5(to_jsonb(d)::text)"
                + " FROM mesh.delivery d JOIN mesh.member m ON m.id = d.member_id",
        "SELECT 'presence:' || p.id, 'presence ' || m.mesh_id, md5((to_jsonb(p) - 'last_ping_at')::text)"
                + " FROM mesh.presence p JOIN mesh.member m ON m.id = p.member_id",
        "SELECT 'audit_log:' || a.id, 'audit_log ' || coalesce(a.mesh_id, '-') || ' ' || a.event_type,"
                + " md5(to_jsonb(a)::text) FROM mesh.audit_log a",
        "SELECT 'pending_status:' || s.id, 'pending_status', md5(to_jsonb(s)::text) FROM mesh.pending_status s",
        "SELECT 'member:' || m.id, 'member ' || m.mesh_id, md5((to_jsonb(m) - 'last_seen_at')::text) FROM mesh.member m",
        "SELECT 'mesh:' || m.id, 'mesh ' || m.id, md5(to_jsonb(m)::text) FROM mesh.mesh m",
        "SELECT 'invite:' || i.id, 'invite ' || i.mesh_id, md5(to_jsonb(i)::text) FROM mesh.invite i"
    };

    private record Row(String description, String digest) {}

    private final Map<String, Row> rows;

    private StoredRows(Map<String, Row> rows) {
        this.rows = rows;
    }

    public static StoredRows take(JdbcTemplate jdbc) {
        Map<String, Row> rows = new HashMap<>();
        for (String query : QUERIES) {
            jdbc.query(query, row -> {
                rows.put(row.getString(1), new Row(row.getString(2), row.getString(3)));
            });
        }
        return new StoredRows(rows);
    }

    /**
     * The rows {@code later} has and this snapshot had not, counted by description, e.g. {@code
     * {"audit_log m1 message_routed": 3, "message_queue m1": 3}}.
     */
    public Map<String, Integer> addedIn(StoredRows later) {
        Map<String, Integer> added = new TreeMap<>();
        later.rows.forEach((key, row) -> {
            if (!rows.containsKey(key)) {
                added.merge(row.description(), 1, Integer::sum);
            }
        });
        return added;
    }

    /** The rows both snapshots have whose content differs, counted by description. */
    public Map<String, Integer> changedIn(StoredRows later) {
        Map<String, Integer> changed = new TreeMap<>();
        later.rows.forEach((key, row) -> {
            Row earlier = rows.get(key);
            if (earlier != null && !earlier.digest().equals(row.digest())) {
                changed.merge(row.description(), 1, Integer::sum);
            }
        });
        return changed;
    }
}
