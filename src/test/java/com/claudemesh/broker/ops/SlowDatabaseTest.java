package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import com.claudemesh.broker.support.WsClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12.4: the connection pool exhausted by slow queries stalls only what needs the database.
 * The slowness is the database's own — triggers that {@code pg_sleep}, installed by the test in
 * the broker's database — not a hook in the broker: a pool of three connections, one held by the
 * envelope writer's insert, one by a hello's presence insert, the third by {@code LISTEN}.
 */
class SlowDatabaseTest {

    private static final Duration PROMPT = Duration.ofSeconds(3);
    private static final int SLEEP_SECONDS = 8;

    private final TestDatabase.Endpoint db = StandaloneBroker.newDatabase();
    private final JdbcTemplate jdbc =
            new JdbcTemplate(new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password()));

    @AfterEach
    void dropDatabase() throws Exception {
        StandaloneBroker.drop(db);
    }

    @Test
    void aPoolHeldBySlowQueries_leavesEverySessionAnsweringWhatNeedsNoDatabase_andLosesNothing() throws Exception {
        try (StandaloneBroker broker = StandaloneBroker.start(db, "spring.datasource.hikari.maximum-pool-size=3")) {
            Ed25519 ed25519 = broker.context().getBean(Ed25519.class);
            MeshSeeds seeds = new MeshSeeds(jdbc, ed25519);
            String mesh = seeds.mesh();
            MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
            MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
            MeshSeeds.SeededMember carol = seeds.member(mesh, "carol");
            WsClient alices = WsClient.connect(broker.port());
            alices.hello(alice, ed25519, WsClient.helloTimestamp(Clock.systemUTC()));
            WsClient bobs = WsClient.connect(broker.port());
            bobs.hello(bob, ed25519, WsClient.helloTimestamp(Clock.systemUTC()));

            jdbc.execute("CREATE FUNCTION public.slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " PERFORM pg_sleep(" + SLEEP_SECONDS + "); RETURN NULL; END $$");
            jdbc.execute("CREATE TRIGGER slow BEFORE INSERT ON mesh.message_queue"
                    + " FOR EACH STATEMENT EXECUTE FUNCTION public.slow_insert()");
            jdbc.execute("CREATE TRIGGER slow BEFORE INSERT ON mesh.presence"
                    + " FOR EACH STATEMENT EXECUTE FUNCTION public.slow_insert()");
            alices.send("held", bob.pubkey(), "now", "bg==", "Yw==");
            WsClient carols = WsClient.connect(broker.port());
            carols.sendJson(WsClient.helloFrame(carol, ed25519, WsClient.helloTimestamp(Clock.systemUTC())));
            await().atMost(PROMPT).until(() -> sleepingQueries() == 2);

            // Both connections of the pool sleep. What needs no database is answered at once.
            alices.sendText("{\"type\":\"no_such_type\"}");
            assertThat(alices.next(PROMPT).path("code").asString()).isEqualTo("unknown_type");
            alices.send("bad-nonce", bob.pubkey(), "now", "not base64!", "Yw==");
            JsonNode refused = alices.next(PROMPT);
            assertThat(refused.path("code").asString()).isEqualTo("malformed");
            assertThat(refused.path("id").asString()).isEqualTo("bad-nonce");
            bobs.sendText("[]");
            assertThat(bobs.next(PROMPT).path("code").asString()).isEqualTo("malformed");
            long asked = System.nanoTime();
            HttpResponse<String> health = broker.get("/health");
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(PROMPT);
            assertThat(health.statusCode()).isIn(200, 503);
            assertThat(sleepingQueries()).as("the pool was still held").isEqualTo(2);

            // When the queries end, what waited for them is done: nothing was lost.
            jdbc.execute("DROP TRIGGER slow ON mesh.message_queue");
            jdbc.execute("DROP TRIGGER slow ON mesh.presence");
            JsonNode ack = alices.next(Duration.ofSeconds(SLEEP_SECONDS + 10));
            assertThat(ack.path("type").asString()).isEqualTo("ack");
            assertThat(ack.path("id").asString()).isEqualTo("held");
            JsonNode push = bobs.next(Duration.ofSeconds(10));
            assertThat(push.path("type").asString()).isEqualTo("push");
            assertThat(push.path("messageId").asString())
                    .isEqualTo(ack.path("messageId").asString());
            assertThat(carols.next(Duration.ofSeconds(10)).path("type").asString())
                    .isEqualTo("hello_ack");
            assertThat(alices.isClosed()).isFalse();
            assertThat(bobs.isClosed()).isFalse();
        }
    }

    private int sleepingQueries() {
        return jdbc.queryForObject(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND wait_event = 'PgSleep'",
                Integer.class);
    }
}
