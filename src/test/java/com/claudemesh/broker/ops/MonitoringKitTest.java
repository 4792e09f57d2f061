package com.claudemesh.broker.ops;

import static com.claudemesh.broker.ops.OpsFilesTest.list;
import static com.claudemesh.broker.ops.OpsFilesTest.map;
import static com.claudemesh.broker.ops.OpsFilesTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.PeerCrypto;
import com.claudemesh.broker.support.WsClient;
import com.goterl.lazysodium.LazySodiumJava;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring kit of {@code ops/} against the real thing: promtool accepts the Prometheus files;
 * a real Prometheus server, configured from {@code ops/prometheus/prometheus.yml}, scrapes this
 * broker every second while it carries a short real scenario (sessions, direct messages, a
 * broadcast, a hook, a refused hello); then every query of the Grafana dashboard must return at
 * least one series — a panel that would show "No data" on a working broker fails — and every alert
 * rule must be loaded, evaluate without error, and find a series to compare.
 *
 * <p>Prometheus comes from the machine ({@code promtool} and {@code prometheus} on the PATH; .ci/run
 * installs Debian's package). Without it this test fails and says how to install it.
 */
class MonitoringKitTest extends BrokerIntegrationTest {

    private static final Path PROMETHEUS_CONFIG = Path.of("ops/prometheus/prometheus.yml");
    private static final Path ALERTS = Path.of("ops/prometheus/alerts.yml");
    private static final Path DASHBOARD = Path.of("ops/grafana/dashboards/broker.json");
    /** The dashboard's Grafana variables, as a query of all brokers over a window that holds many scrapes. */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of("$__rate_interval", "1m", "$instance", ".*");
    /** An alert expression is "query comparison number". */
    private static final Pattern ALERT_FORM = Pattern.compile("(?s)(.+?)\\s*(==|!=|>=|<=|>|<)\\s*[0-9.e+]+\\s*");

    private final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    Ed25519 ed25519;

    @Autowired
    LazySodiumJava sodium;

    @Autowired
    MeterRegistry meters;

    @TempDir
    Path work;

    private Process prometheus;
    private final List<WsClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        clients.forEach(WsClient::abort);
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void promtoolAcceptsTheConfigurationAndTheAlertRules() throws Exception {
        Path promtool = onPath("promtool");

        assertThat(run(promtool.toString(), "check", "config", PROMETHEUS_CONFIG.toString()))
                .contains("SUCCESS");
        assertThat(run(promtool.toString(), "check", "rules", ALERTS.toString()))
                .contains("SUCCESS: 8 rules found");
    }

    @Test
    void everyAlertHasADurationASeverityAndAOneLineRunbook() throws IOException {
        List<Object> rules =
                list(map(list(yaml(ALERTS).get("groups")).getFirst()).get("rules"));

        assertThat(rules).hasSize(8);
        for (Object item : rules) {
            Map<String, Object> rule = map(item);
            assertThat(rule).containsKeys("alert", "expr", "for");
            assertThat((String) map(rule.get("labels")).get("severity")).isIn("page", "warning");
            String runbook = (String) map(rule.get("annotations")).get("runbook");
            assertThat(runbook)
                    .as("runbook of %s", rule.get("alert"))
                    .isNotBlank()
                    .doesNotContain("\n");
            assertThat((String) rule.get("expr")).matches(ALERT_FORM);
        }
        assertThat(rules.stream().map(r -> map(r).get("alert")))
                .contains(
                        "BrokerDown",
                        "BrokerDatabaseUnhealthy",
                        "BrokerQueueDepthHigh",
                        "BrokerOldestUndeliveredOld",
                        "BrokerDeliveryLatencyHigh",
                        "BrokerCapacityRejections",
                        "BrokerHelloRejectionsSpike",
                        "BrokerDatabasePoolExhausted");
        assertThat(rules.stream()
                        .filter(r ->
                                List.of("BrokerDown", "BrokerDatabaseUnhealthy").contains(map(r).get("alert")))
                        .map(r -> map(map(r).get("labels")).get("severity")))
                .containsOnly("page");
    }

    @Test
    void theDashboardIsProvisionableWithRowsAndADatasourceVariable() throws IOException {
        JsonNode dashboard = json.readTree(DASHBOARD.toFile());

        assertThat(dashboard.get("uid").asString()).isEqualTo("claudemesh-broker");
        assertThat(dashboard.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        assertThat(dashboard.has("id"))
                .as("no database id in a provisioned dashboard")
                .isFalse();
        JsonNode variables = dashboard.at("/templating/list");
        assertThat(variables.get(0).get("type").asString()).isEqualTo("datasource");
        assertThat(variables.get(0).get("query").asString()).isEqualTo("prometheus");
        String variable = "${" + variables.get(0).get("name").asString() + "}";
        List<String> rows = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("type").asString().equals("row")) {
                rows.add(panel.get("title").asString());
                continue;
            }
            assertThat(panel.at("/datasource/uid").asString())
                    .as("datasource of %s", panel.get("title"))
                    .isEqualTo(variable);
            assertThat(panel.get("targets"))
                    .as("targets of %s", panel.get("title"))
                    .isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.at("/datasource/uid").asString()).isEqualTo(variable);
                assertThat(target.get("expr").asString()).isNotBlank();
            }
        }
        assertThat(rows).containsExactly("Traffic", "Delivery", "Sessions", "Database", "JVM");
    }

    @Test
    void aRealPrometheusScrapingARealBrokerFindsDataForEveryPanelAndEvaluatesEveryAlert() throws Exception {
        int prometheusPort = freePort();
        startPrometheus(prometheusPort);
        String up = "up{job=\"" + jobName() + "\"}";
        await("Prometheus scrapes the broker")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> values(prometheusPort, up).contains("1"));

        runScenario();
        // Prometheus has seen the scenario, and enough scrapes after it for every rate window.
        double routed = meters.find("broker.messages.routed").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
        double refused = meters.get("broker.connections.rejected")
                .tag("reason", "timestamp_skew")
                .counter()
                .count();
        await("Prometheus has scraped the scenario")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> sum(prometheusPort, "sum(broker_messages_routed_total)") >= routed
                        && sum(prometheusPort, "sum(broker_connections_rejected_total{reason=\"timestamp_skew\"})")
                                >= refused
                        && sum(prometheusPort, "sum(broker_delivery_latency_seconds_count{path=\"queued\"})") > 0
                        && sum(prometheusPort, "sum(broker_group_commit_batch_size_count{queue=\"session-closer\"})")
                                > 0);
        await("three more scrapes")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> sum(prometheusPort, "count_over_time(" + up + "[1m])") >= 6);

        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> query : dashboardQueries().entrySet()) {
            JsonNode answer = query(prometheusPort, query.getValue());
            if (!answer.path("status").asString().equals("success")) {
                problems.add(query.getKey() + ": " + answer.path("error").asString());
            } else if (answer.at("/data/result").isEmpty()) {
                problems.add(query.getKey() + ": no data for " + query.getValue());
            }
        }
        JsonNode instances =
                get(prometheusPort, "/api/v1/label/instance/values?match[]=" + encode("broker_connections_active"));
        if (instances.get("data").isEmpty()) {
            problems.add("variable instance: no broker_connections_active series");
        }
        for (Object item : list(map(list(yaml(ALERTS).get("groups")).getFirst()).get("rules"))) {
            Map<String, Object> rule = map(item);
            String expr = (String) rule.get("expr");
            JsonNode answer = query(prometheusPort, expr);
            if (!answer.path("status").asString().equals("success")) {
                problems.add("alert " + rule.get("alert") + ": "
                        + answer.path("error").asString());
                continue;
            }
            Matcher form = ALERT_FORM.matcher(expr);
            if (!form.matches()) {
                problems.add("alert " + rule.get("alert") + " is not 'query comparison number'");
            } else if (query(prometheusPort, form.group(1)).at("/data/result").isEmpty()) {
                problems.add("alert " + rule.get("alert") + ": no series to compare in " + form.group(1));
            }
        }
        assertThat(problems).isEmpty();

        // The rules are loaded from the file the configuration names, and evaluate cleanly.
        await("every rule evaluated")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    List<JsonNode> loaded = new ArrayList<>();
                    get(prometheusPort, "/api/v1/rules")
                            .at("/data/groups")
                            .forEach(group -> group.get("rules").forEach(loaded::add));
                    assertThat(loaded).hasSize(8);
                    assertThat(loaded)
                            .allSatisfy(rule -> assertThat(rule.get("health").asString())
                                    .as("%s: %s", rule.get("name"), rule.path("lastError"))
                                    .isEqualTo("ok"));
                });
    }

    /**
     * Sessions, direct messages (the first to a member drained from the queue, the next pushed
     * straight after the commit), a broadcast, an offline member served on hello, a hook, a hello
     * refused for its timestamp, a session ending — and a garbage collection, so the JVM row has
     * pauses to show on a freshly started test JVM as on any broker that has run for a while.
     */
    private void runScenario() throws Exception {
        MeshSeeds seeds = new MeshSeeds(jdbc, ed25519);
        PeerCrypto crypto = new PeerCrypto(sodium);
        String mesh = seeds.mesh();
        MeshSeeds.SeededMember alice = seeds.member(mesh, "alice");
        MeshSeeds.SeededMember bob = seeds.member(mesh, "bob");
        MeshSeeds.SeededMember carol = seeds.member(mesh, "carol");
        MeshSeeds.SeededMember dave = seeds.member(mesh, "dave");
        WsClient alices = online(alice);
        WsClient bobs = online(bob);
        WsClient carols = online(carol);

        for (String id : List.of("m1", "m2", "m3")) {
            PeerCrypto.Sealed sealed =
                    crypto.seal("hello bob " + id, bob.pubkey(), alice.keys().secretKeyHex());
            alices.send(id, bob.pubkey(), "next", sealed.nonceBase64(), sealed.ciphertextBase64());
            assertThat(alices.next().path("type").asString()).isEqualTo("ack");
            bobs.collect("push", 1, Duration.ofSeconds(10));
        }
        alices.send("b1", "*", "now", "bm9uY2U=", "YnJvYWRjYXN0");
        assertThat(alices.next().path("type").asString()).isEqualTo("ack");
        bobs.collect("push", 1, Duration.ofSeconds(10));
        carols.collect("push", 1, Duration.ofSeconds(10));
        WsClient daves = online(dave);
        daves.collect("push", 1, Duration.ofSeconds(10));

        HttpResponse<String> hook =
                postJson("/hook/set-status", "{\"cwd\":\"/home/test/bob\",\"pid\":4242,\"status\":\"working\"}");
        assertThat(hook.statusCode()).isEqualTo(200);

        WsClient skewed = connect();
        skewed.sendJson(WsClient.helloFrame(carol, ed25519, clock.millis() - 120_000));
        assertThat(skewed.awaitClose().code()).isEqualTo(1008);

        carols.close();
        System.gc();
    }

    private WsClient online(MeshSeeds.SeededMember member) {
        WsClient client = connect();
        client.hello(member, ed25519, WsClient.helloTimestamp(clock));
        return client;
    }

    private WsClient connect() {
        WsClient client = WsClient.connect(port);
        clients.add(client);
        return client;
    }

    /** Every target of every panel, by "panel title / refId", with the Grafana variables filled in. */
    private Map<String, String> dashboardQueries() throws IOException {
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : json.readTree(DASHBOARD.toFile()).get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.get("expr").asString();
                for (Map.Entry<String, String> variable : GRAFANA_VARIABLES.entrySet()) {
                    expr = expr.replace(variable.getKey(), variable.getValue());
                }
                assertThat(expr).as("unknown Grafana variable").doesNotContain("$");
                queries.put(
                        panel.get("title").asString() + " / "
                                + target.get("refId").asString(),
                        expr);
            }
        }
        assertThat(queries).hasSizeGreaterThan(30);
        return queries;
    }

    /** ops/prometheus/prometheus.yml as it is, but scraping this broker every second, with the rules by absolute path. */
    private void startPrometheus(int prometheusPort) throws IOException {
        Map<String, Object> config = yaml(PROMETHEUS_CONFIG);
        Map<String, Object> global = map(config.get("global"));
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        config.put(
                "rule_files",
                list(config.get("rule_files")).stream()
                        .map(file -> PROMETHEUS_CONFIG
                                .toAbsolutePath()
                                .getParent()
                                .resolve((String) file)
                                .toString())
                        .toList());
        for (Object job : list(config.get("scrape_configs"))) {
            map(job).put("static_configs", List.of(Map.of("targets", List.of("127.0.0.1:" + port))));
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path generated = work.resolve("prometheus.yml");
        Files.writeString(generated, new Yaml(options).dump(config));

        prometheus = new ProcessBuilder(
                        onPath("prometheus").toString(),
                        "--config.file=" + generated,
                        "--storage.tsdb.path=" + work.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + prometheusPort,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("prometheus.log").toFile())
                .start();
        await("Prometheus ready")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    assertThat(prometheus.isAlive())
                            .as("prometheus exited: %s", Files.readString(work.resolve("prometheus.log")))
                            .isTrue();
                    try {
                        return http.send(
                                                HttpRequest.newBuilder(prometheusUri(prometheusPort, "/-/ready"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    private String jobName() throws IOException {
        return (String) map(list(yaml(PROMETHEUS_CONFIG).get("scrape_configs")).getFirst())
                .get("job_name");
    }

    private JsonNode query(int prometheusPort, String promql) throws Exception {
        return get(prometheusPort, "/api/v1/query?query=" + encode(promql));
    }

    private List<String> values(int prometheusPort, String promql) throws Exception {
        List<String> values = new ArrayList<>();
        query(prometheusPort, promql)
                .at("/data/result")
                .forEach(series -> values.add(series.get("value").get(1).asString()));
        return values;
    }

    private double sum(int prometheusPort, String promql) throws Exception {
        return values(prometheusPort, promql).stream()
                .mapToDouble(Double::parseDouble)
                .sum();
    }

    private JsonNode get(int prometheusPort, String pathAndQuery) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(prometheusUri(prometheusPort, pathAndQuery))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return json.readTree(response.body());
    }

    private static URI prometheusUri(int prometheusPort, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + prometheusPort + pathAndQuery);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs a tool to completion; its output, which must end with exit code 0. */
    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static Path onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(tool + " is not on the PATH: the monitoring kit is checked against a real"
                + " Prometheus. Install it (Debian/Ubuntu: sudo apt-get install prometheus, which brings"
                + " promtool and the server; .ci/run does this) or put both binaries on the PATH.");
    }
}
