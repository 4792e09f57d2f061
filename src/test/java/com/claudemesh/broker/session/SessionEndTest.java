package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.WsClient;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** PROTOCOL A.6/A.13: every ended session has its presence closed and its session_closed event, even under pressure. */
class SessionEndTest extends SessionTestBase {

    @Autowired
    HikariDataSource pool;

    @Test
    void a6_sessionsThatEndWhileThePoolIsExhaustedAreClosedOnceItFrees_noPresenceLeftOpen() throws Exception {
        String mesh = seeds.mesh();
        List<WsClient> sessions = new ArrayList<>();
        List<String> memberIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            MeshSeeds.SeededMember member = seeds.member(mesh, "peer" + i);
            memberIds.add(member.id());
            sessions.add(online(member));
        }
        List<Connection> held = new ArrayList<>();
        try {
            while (pool.getHikariPoolMXBean().getIdleConnections() > 0 || held.size() < pool.getMaximumPoolSize() - 1) {
                held.add(pool.getConnection());
                if (held.size() >= pool.getMaximumPoolSize()) {
                    break;
                }
            }
            sessions.forEach(WsClient::abort);
            // Longer than the pool's connection timeout: the first attempt to close them fails.
            Thread.sleep(6_000);
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(jdbc.queryForObject(
                                "SELECT count(*) FROM mesh.presence WHERE member_id = ANY (?::text[])"
                                        + " AND disconnected_at IS NULL",
                                Integer.class,
                                (Object) memberIds.toArray(String[]::new)))
                        .isZero());
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.audit_log WHERE event_type = 'session_closed' AND mesh_id = ?",
                        Integer.class,
                        mesh))
                .isEqualTo(20);
    }
}
