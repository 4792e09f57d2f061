package com.claudemesh.broker.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.config.BrokerProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** PROTOCOL A.9: {@code POST /hook/set-status}, its replies, rate limit and presence resolution. */
class HookEndpointTest extends PresenceTestSupport {

    private final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    BrokerProperties properties;

    @Autowired
    MeterRegistry meters;

    @Autowired
    HookRateLimiter rateLimiter;

    @Test
    void a9_missingCwdOrStatusIs400() throws Exception {
        assertReply(post("{\"status\":\"working\"}"), 400, "{\"ok\":false,\"error\":\"cwd and status required\"}");
        assertReply(post("{\"cwd\":\"/x\"}"), 400, "{\"ok\":false,\"error\":\"cwd and status required\"}");
        assertReply(
                post("{\"cwd\":\"\",\"status\":\"idle\"}"),
                400,
                "{\"ok\":false,\"error\":\"cwd and status required\"}");
        assertReply(
                post("{\"cwd\":5,\"status\":\"idle\"}"), 400, "{\"ok\":false,\"error\":\"cwd and status required\"}");
    }

    @Test
    void a9_anUnknownStatusIs400WithAPreciseMessage() throws Exception {
        assertReply(
                post("{\"cwd\":\"/x\",\"status\":\"busy\"}"),
                400,
                "{\"ok\":false,\"error\":\"status must be one of idle, working, dnd\"}");
    }

    @Test
    void a9_malformedBodiesAre400WithoutAStackTrace() throws Exception {
        assertReply(post("{\"cwd\":"), 400, "{\"ok\":false,\"error\":\"body must be a JSON object\"}");
        assertReply(post("[1,2]"), 400, "{\"ok\":false,\"error\":\"body must be a JSON object\"}");
        assertReply(post(""), 400, "{\"ok\":false,\"error\":\"body must be a JSON object\"}");
        assertReply(
                post("{\"cwd\":\"/x\",\"status\":\"idle\",\"pid\":\"12a\"}"),
                400,
                "{\"ok\":false,\"error\":\"pid must be an integer\"}");
    }

    @Test
    void a9_aCwdWithANulCharacterOrALoneSurrogateIs400_andNothingIsStored() throws Exception {
        for (String cwd : new String[] {"/a\\u0000b", "/a\\ud800b", "/a\\udc00"}) {
            assertReply(
                    post("{\"cwd\":\"" + cwd + "\",\"status\":\"working\"}"),
                    400,
                    "{\"ok\":false,\"error\":\"cwd must be well-formed Unicode text without NUL characters\"}");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM mesh.pending_status WHERE cwd LIKE '/a%'", Integer.class))
                .isZero();
    }

    @Test
    void a9_aCwdLongerThanAnIndexKeyIs400() throws Exception {
        String cwd = "/" + "x".repeat(Presences.MAX_CWD_BYTES);

        assertReply(post(hook(cwd, 1, "idle")), 400, "{\"ok\":false,\"error\":\"cwd must be at most 2048 bytes\"}");
    }

    @Test
    void a9_aFormEncodedContentTypeIsReadAsJsonAnyway() throws Exception {
        // curl -d sends application/x-www-form-urlencoded unless told otherwise.
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/hook/set-status"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(hook(cwd("curl"), 1, "idle")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertReply(response, 200, "{\"ok\":true,\"pending\":true}");
    }

    @Test
    void a9_theBucketCountIsBounded() {
        for (int i = 0; i <= HookRateLimiter.MAX_BUCKETS; i++) {
            rateLimiter.tryAcquire(i, cwd("many"));
        }

        assertThat(rateLimiter.size()).isEqualTo(HookRateLimiter.MAX_BUCKETS);
        clock.advance(Duration.ofMinutes(2));
        rateLimiter.evictIdle();
    }

    @Test
    void aDatabaseFailureIsAJson503() throws Exception {
        jdbc.execute("ALTER TABLE mesh.pending_status RENAME TO pending_status_away");
        try {
            assertReply(post(hook(cwd("down"), 1, "idle")), 503, "{\"ok\":false,\"error\":\"database unavailable\"}");
        } finally {
            jdbc.execute("ALTER TABLE mesh.pending_status_away RENAME TO pending_status");
        }
    }

    @Test
    void a9_aBodyOverMaxMessageBytesIs413() throws Exception {
        String big = "{\"cwd\":\"" + "a".repeat(properties.maxMessageBytes()) + "\",\"status\":\"idle\"}";

        assertReply(post(big), 413, "{\"ok\":false,\"error\":\"payload too large\"}");
    }

    @Test
    void a9_aChunkedBodyOverMaxMessageBytesIs413Too() throws Exception {
        byte[] big = ("{\"cwd\":\"" + "a".repeat(properties.maxMessageBytes()) + "\",\"status\":\"idle\"}").getBytes();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/hook/set-status"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertReply(response, 413, "{\"ok\":false,\"error\":\"payload too large\"}");
    }

    @Test
    void a9_rateLimitIsOneBucketPerPidAndCwd() throws Exception {
        String cwd = cwd("limited");
        int limit = properties.hookRateLimitPerMin();
        double limitedBefore = counter("broker.hook.requests.rate.limited");
        for (int i = 0; i < limit; i++) {
            assertThat(post(hook(cwd, 1, "working")).statusCode()).isEqualTo(200);
        }

        assertReply(post(hook(cwd, 1, "working")), 429, "{\"ok\":false,\"error\":\"rate limited\"}");
        assertThat(post(hook(cwd, 2, "working")).statusCode()).isEqualTo(200);
        assertThat(post(hook(cwd("other"), 1, "working")).statusCode()).isEqualTo(200);
        assertThat(post("{\"cwd\":\"" + cwd + "\",\"status\":\"idle\"}").statusCode())
                .isEqualTo(200);
        assertThat(counter("broker.hook.requests.rate.limited")).isEqualTo(limitedBefore + 1);

        // Refill: HOOK_RATE_LIMIT_PER_MIN tokens per minute.
        clock.advance(Duration.ofMinutes(1).dividedBy(limit));
        assertThat(post(hook(cwd, 1, "working")).statusCode()).isEqualTo(200);
        assertThat(post(hook(cwd, 1, "working")).statusCode()).isEqualTo(429);
    }

    @Test
    void a9_idleBucketsAreEvicted() throws Exception {
        post(hook(cwd("evicted"), 1, "idle"));
        int before = rateLimiter.size();

        clock.advance(Duration.ofMinutes(2));
        rateLimiter.evictIdle();

        assertThat(before).isPositive();
        assertThat(rateLimiter.size()).isZero();
    }

    @Test
    void a9_everyRequestIsCounted() throws Exception {
        double before = counter("broker.hook.requests");

        post("{}");
        post(hook(cwd("counted"), 1, "idle"));

        assertThat(counter("broker.hook.requests")).isEqualTo(before + 2);
    }

    @Test
    void a9_noLivePresenceStoresAPendingStatus() throws Exception {
        String cwd = cwd("pending");

        assertReply(post(hook(cwd, 77, "working")), 200, "{\"ok\":true,\"pending\":true}");

        assertThat(jdbc.queryForList(
                        "SELECT pid, status::text AS status, status_source::text AS source, applied_at"
                                + " FROM mesh.pending_status WHERE cwd = ?",
                        cwd))
                .singleElement()
                .satisfies(row -> {
                    assertThat(row.get("pid")).isEqualTo(77);
                    assertThat(row.get("status")).isEqualTo("working");
                    assertThat(row.get("source")).isEqualTo("hook");
                    assertThat(row.get("applied_at")).isNull();
                });
    }

    @Test
    void a9_theLivePresenceWithThatCwdAndPidIsWrittenFromTheHook() throws Exception {
        String cwd = cwd("found");
        Instant now = clock.instant();
        String samePid = insertPresence(10, cwd, "idle", "jsonl", now, now.minusSeconds(60));
        String newerOtherPid = insertPresence(11, cwd, "idle", "jsonl", now, now.minusSeconds(5));

        assertReply(post(hook(cwd, 10, "working")), 200, "{\"ok\":true,\"presence_id\":\"" + samePid + "\"}");

        assertThat(statusOf(samePid)).isEqualTo("working/hook");
        assertThat(statusOf(newerOtherPid)).isEqualTo("idle/jsonl");
        assertThat(events)
                .containsExactly(new Seen(new PresenceStatusChanged(samePid, memberId, Status.WORKING), "working"));
    }

    @Test
    void a9_elseTheMostRecentlyConnectedLivePresenceWithThatCwd() throws Exception {
        String cwd = cwd("fallback");
        Instant now = clock.instant();
        String older = insertPresence(10, cwd, "idle", "jsonl", now, now.minusSeconds(60));
        String newer = insertPresence(11, cwd, "idle", "jsonl", now, now.minusSeconds(5));
        String newestButClosed = insertPresence(12, cwd, "idle", "jsonl", now, now.minusSeconds(1));
        jdbc.update("UPDATE mesh.presence SET disconnected_at = last_ping_at WHERE id = ?", newestButClosed);

        assertReply(post(hook(cwd, 99, "working")), 200, "{\"ok\":true,\"presence_id\":\"" + newer + "\"}");
        assertReply(
                post("{\"cwd\":\"" + cwd + "\",\"status\":\"dnd\"}"),
                200,
                "{\"ok\":true,\"presence_id\":\"" + newer + "\"}");

        assertThat(statusOf(newer)).isEqualTo("dnd/hook");
        assertThat(statusOf(older)).isEqualTo("idle/jsonl");
        assertThat(statusOf(newestButClosed)).isEqualTo("idle/jsonl");
    }

    @Test
    void a8_aHookNeverLeavesDnd() throws Exception {
        String cwd = cwd("dnd");
        Instant now = clock.instant();
        String presence = insertPresence(10, cwd, "dnd", "manual", now.minusSeconds(300), now.minusSeconds(300));

        assertReply(post(hook(cwd, 10, "idle")), 200, "{\"ok\":true,\"presence_id\":\"" + presence + "\"}");
        assertReply(post(hook(cwd, 10, "working")), 200, "{\"ok\":true,\"presence_id\":\"" + presence + "\"}");

        assertThat(statusOf(presence)).isEqualTo("dnd/manual");
        assertThat(events).isEmpty();
    }

    @Test
    void a9_aPidSentAsDigitsIsAccepted() throws Exception {
        String cwd = cwd("string-pid");
        Instant now = clock.instant();
        String presence = insertPresence(321, cwd, "idle", "jsonl", now, now);
        insertPresence(322, cwd, "idle", "jsonl", now, now.plusSeconds(1));

        assertReply(
                post("{\"cwd\":\"" + cwd + "\",\"pid\":\"321\",\"status\":\"working\",\"session_id\":\"abc\"}"),
                200,
                "{\"ok\":true,\"presence_id\":\"" + presence + "\"}");
    }

    private HttpResponse<String> post(String body) throws Exception {
        return postJson("/hook/set-status", body);
    }

    private static String hook(String cwd, int pid, String status) {
        return "{\"cwd\":\"" + cwd + "\",\"pid\":" + pid + ",\"status\":\"" + status + "\",\"session_id\":\"s\"}";
    }

    private void assertReply(HttpResponse<String> response, int status, String body) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode actual = json.readTree(response.body());
        assertThat(actual).isEqualTo(json.readTree(body));
    }

    private double counter(String name) {
        return meters.get(name).counter().count();
    }
}
