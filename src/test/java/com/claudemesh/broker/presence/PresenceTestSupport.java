package com.claudemesh.broker.presence;

import static com.claudemesh.broker.db.UtcTimestamps.fromDb;
import static com.claudemesh.broker.db.UtcTimestamps.toDb;

import com.claudemesh.broker.support.BrokerIntegrationTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;

/**
 * Shared by the presence integration tests: one mesh and member seeded by SQL per test (deleted
 * afterwards with everything that hangs off it), unique cwds, and a recorder of {@link
 * PresenceStatusChanged} that also notes what another connection saw in the database at that moment.
 */
abstract class PresenceTestSupport extends BrokerIntegrationTest {

    /** An event and the row's status as a separate connection read it when the event arrived. */
    record Seen(PresenceStatusChanged event, String committedStatus) {}

    @Autowired
    ConfigurableApplicationContext context;

    @Autowired
    DataSource dataSource;

    @Autowired
    BrokerInstance self;

    final List<Seen> events = new CopyOnWriteArrayList<>();
    final String tag = UUID.randomUUID().toString().substring(0, 8);
    final String meshId = "mesh-" + tag;
    final String memberId = "member-" + tag;

    private final ApplicationListener<PayloadApplicationEvent<PresenceStatusChanged>> listener =
            ApplicationListener.forPayload(event -> events.add(new Seen(event, committedStatus(event.presenceId()))));

    @BeforeEach
    void seedMeshAndListen() {
        jdbc.update("INSERT INTO mesh.mesh (id, name, slug) VALUES (?, ?, ?)", meshId, meshId, meshId);
        jdbc.update(
                "INSERT INTO mesh.member (id, mesh_id, peer_pubkey, display_name) VALUES (?, ?, ?, ?)",
                memberId,
                meshId,
                "ab".repeat(32),
                "peer-" + tag);
        context.addApplicationListener(listener);
    }

    @AfterEach
    void dropMeshAndStopListening() {
        context.removeApplicationListener(listener);
        jdbc.update("DELETE FROM mesh.mesh WHERE id = ?", meshId);
        jdbc.update("DELETE FROM mesh.pending_status WHERE cwd LIKE ?", "%" + tag + "%");
    }

    /** A cwd no other test uses. */
    String cwd(String name) {
        return "/home/dev/" + tag + "/" + name;
    }

    /** Inserts a live presence row directly, owned by this broker instance unless told otherwise. */
    String insertPresence(int pid, String cwd, String status, String source, Instant statusAt, Instant connectedAt) {
        return insertPresence(pid, cwd, status, source, statusAt, connectedAt, self.id());
    }

    String insertPresence(
            int pid,
            String cwd,
            String status,
            String source,
            Instant statusAt,
            Instant connectedAt,
            String brokerInstanceId) {
        String id = "p-" + UUID.randomUUID();
        jdbc.update(
                """
                INSERT INTO mesh.presence (id, member_id, session_id, pid, cwd, status, status_source,
                                           status_updated_at, connected_at, last_ping_at, broker_instance_id)
                VALUES (?, ?, 's', ?, ?, ?::mesh.presence_status, ?::mesh.presence_status_source, ?, ?, ?, ?)
                """,
                id,
                memberId,
                pid,
                cwd,
                status,
                source,
                toDb(statusAt),
                toDb(connectedAt),
                toDb(connectedAt),
                brokerInstanceId);
        return id;
    }

    Map<String, Object> row(String presenceId) {
        return jdbc.queryForMap(
                "SELECT status::text AS status, status_source::text AS source, status_updated_at, last_ping_at,"
                        + " disconnected_at, broker_instance_id FROM mesh.presence WHERE id = ?",
                presenceId);
    }

    String statusOf(String presenceId) {
        Map<String, Object> row = row(presenceId);
        return row.get("status") + "/" + row.get("source");
    }

    static Instant instant(Object timestamp) {
        return fromDb(timestamp instanceof Timestamp ts ? ts.toLocalDateTime() : (LocalDateTime) timestamp);
    }

    List<PresenceStatusChanged> eventsFor(String presenceId) {
        return events.stream()
                .map(Seen::event)
                .filter(e -> e.presenceId().equals(presenceId))
                .toList();
    }

    /** Read on a connection of its own, so it sees only committed data. */
    private String committedStatus(String presenceId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query =
                        connection.prepareStatement("SELECT status::text FROM mesh.presence WHERE id = ?")) {
            query.setString(1, presenceId);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            return "error: " + e.getMessage();
        }
    }
}
