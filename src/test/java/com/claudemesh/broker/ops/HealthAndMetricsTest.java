package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.BrokerIntegrationTest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** PROTOCOL A.12: /health, /metrics, unknown paths; plus the Kubernetes probes. */
class HealthAndMetricsTest extends BrokerIntegrationTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void healthReportsOkWithBuildFieldsWhenDatabaseAnswers() throws Exception {
        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("status").asString()).isEqualTo("ok");
        assertThat(body.get("db").asString()).isEqualTo("up");
        assertThat(body.get("version").asString()).isNotBlank().isNotEqualTo("unknown");
        assertThat(body.get("gitSha").asString()).isNotBlank();
        assertThat(body.get("uptime").isIntegralNumber()).isTrue();
        assertThat(body.propertyNames()).containsExactlyInAnyOrder("status", "db", "version", "gitSha", "uptime");
    }

    @Test
    void metricsListTheTenBrokerSeriesFromStartUp() throws Exception {
        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String text = response.body();
        assertThat(text)
                .contains("broker_connections_total ")
                .contains("broker_connections_rejected_total{")
                .contains("broker_connections_active ")
                .contains("broker_messages_routed_total{")
                .contains("broker_messages_rejected_total{")
                .contains("broker_queue_depth ")
                .contains("broker_ttl_sweeps_total ")
                .contains("broker_hook_requests_total ")
                .contains("broker_hook_requests_rate_limited_total ")
                .contains("broker_db_healthy 1.0");
        assertThat(text).containsPattern("broker_connections_rejected_total\\{[^}]*reason=\"capacity\"");
        assertThat(text).containsPattern("broker_messages_routed_total\\{[^}]*priority=\"now\"");
        assertThat(text).containsPattern("broker_messages_rejected_total\\{[^}]*reason=\"too_large\"");
        assertThat(text).contains("jvm_memory_used_bytes").contains("hikaricp_connections");
    }

    @Test
    void webSocketUpgradesAreNotTimedAsHttpRequests() throws Exception {
        java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(
                        java.net.URI.create("ws://127.0.0.1:" + port + "/ws"),
                        new java.net.http.WebSocket.Listener() {})
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        socket.abort();
        get("/health");

        String text = get("/metrics").body();

        assertThat(text).containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/health\"");
        assertThat(text).doesNotContainPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/ws\"");
    }

    @Test
    void infoReportsTheBuildAndTheCommit() throws Exception {
        HttpResponse<String> response = get("/actuator/info");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        String version = json.readTree(get("/health").body()).get("version").asString();
        assertThat(body.at("/build/version").asString()).as(response.body()).isEqualTo(version);
        assertThat(body.at("/build/artifact").asString()).isEqualTo("claudemesh-broker");
        assertThat(body.at("/build/time").asString()).isNotBlank();
        assertThat(body.at("/git/commit/id/full").asString()).matches("[0-9a-f]{40}");
        assertThat(body.at("/java/version").asString()).isNotBlank();
    }

    @Test
    void metricsStayAvailableUnderTheActuatorPath() throws Exception {
        assertThat(get("/actuator/prometheus").body()).contains("broker_queue_depth");
    }

    @Test
    void kubernetesProbesAnswer() throws Exception {
        HttpResponse<String> liveness = get("/actuator/health/liveness");
        HttpResponse<String> readiness = get("/actuator/health/readiness");

        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).contains("\"UP\"");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"UP\"");
    }

    @Test
    void unknownPathsGetASmallJson404() throws Exception {
        HttpResponse<String> response = get("/no/such/path");

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("error").asString()).isEqualTo("not_found");
        assertThat(body.get("path").asString()).isEqualTo("/no/such/path");
    }
}
