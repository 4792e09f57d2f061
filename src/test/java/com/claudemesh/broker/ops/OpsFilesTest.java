package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.config.Cidr;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The container files, checked without a Docker engine: the Dockerfile builds from the sources with
 * what the build context holds and runs as a non-root user with a health check that can work; the
 * compose stack has its services, health dependencies, ports and mounts right.
 */
class OpsFilesTest {

    private static final Path DOCKERFILE = Path.of("ops/Dockerfile");

    // ---- Dockerfile ----

    /** One instruction of a Dockerfile: keyword and its arguments, continuation lines joined. */
    record Instruction(String keyword, String arguments) {}

    /** The instructions of one build stage, from its FROM. */
    record Stage(String from, String name, List<Instruction> instructions) {

        List<String> all(String keyword) {
            return instructions.stream()
                    .filter(i -> i.keyword().equals(keyword))
                    .map(Instruction::arguments)
                    .toList();
        }
    }

    @Test
    void theImageIsBuiltFromTheSourcesWithTheMavenWrapperOnAJdk25() throws IOException {
        List<Stage> stages = stages();

        assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
        Stage build = stages.getFirst();
        assertThat(build.from()).isEqualTo("eclipse-temurin:25-jdk");
        assertThat(String.join("\n", build.all("RUN"))).contains("./mvnw").contains("-DskipTests package");
        // The README's build command, which the wrapper runs there: nothing built beforehand.
        assertThat(Files.readString(Path.of("README.md"))).contains("./mvnw -DskipTests package");
        assertThat(String.join("\n", build.all("RUN")))
                .as("an unpacked class path, which the AOT cache needs")
                .contains("-Djarmode=tools")
                .contains("extract");
    }

    @Test
    void theRuntimeIsAJre25AsANonRootUserWithAContainerAwareHeapOnPort7900() throws IOException {
        Stage runtime = stages().getLast();

        assertThat(runtime.from()).isEqualTo("eclipse-temurin:25-jre");
        List<String> users = runtime.all("USER");
        assertThat(users).hasSize(1);
        assertThat(users.getFirst()).isNotIn("root", "0", "0:0");
        assertThat(String.join("\n", runtime.all("RUN"))).contains("useradd").contains(users.getFirst());
        assertThat(runtime.all("EXPOSE")).containsExactly("7900");
        String environment = String.join("\n", runtime.all("ENV"));
        assertThat(environment).contains("-XX:MaxRAMPercentage=");
        // Idle sessions' RSS: the heap keeps 10 % free, not G1's 40 % (docs/BENCHMARKS.md).
        assertThat(environment).contains("-XX:MinHeapFreeRatio=10");
        assertThat(String.join("\n", runtime.all("ENTRYPOINT")))
                .contains("$JAVA_OPTS")
                .contains("exec java")
                .contains("-jar /app/broker.jar")
                // The AOT cache is used only when present, and written by a training run.
                .contains("[ -f \\\"$BROKER_AOT_CACHE\\\" ]")
                .contains("-XX:AOTCache=$BROKER_AOT_CACHE")
                .contains("-XX:AOTCacheOutput=$BROKER_AOT_CACHE");
        assertThat(runtime.all("STOPSIGNAL")).containsExactly("SIGTERM");
    }

    @Test
    void theGitShaOrCoolifysSourceCommitBuildArgumentReachesTheEnvironment() throws IOException {
        Stage runtime = stages().getLast();

        assertThat(runtime.all("ARG")).anySatisfy(arg -> assertThat(arg).startsWith("GIT_SHA"));
        assertThat(runtime.all("ARG")).anySatisfy(arg -> assertThat(arg).startsWith("SOURCE_COMMIT"));
        assertThat(runtime.all("ENV")).contains("GIT_SHA=${GIT_SHA:-${SOURCE_COMMIT}}");
    }

    @Test
    void theHealthCheckUsesAToolTheImageInstalls() throws IOException {
        Stage runtime = stages().getLast();
        List<String> checks = runtime.all("HEALTHCHECK");

        assertThat(checks).hasSize(1);
        String check = checks.getFirst();
        // dash (the image's sh) has no /dev/tcp: such a check never passes.
        assertThat(check).doesNotContain("/dev/tcp").contains("CMD ");
        String command = check.substring(check.indexOf("CMD ") + 4).trim();
        String tool =
                command.startsWith("[") ? command.replaceAll("^\\[\\s*\"([^\"]+)\".*", "$1") : command.split("\\s+")[0];
        assertThat(tool).isIn("curl", "wget", "java");
        if (!tool.equals("java")) {
            assertThat(String.join("\n", runtime.all("RUN")))
                    .as("the runtime stage installs %s", tool)
                    .containsPattern("apt-get install[^&]*\\b" + tool + "\\b");
        }
        assertThat(command).contains("/actuator/health/liveness").contains("${BROKER_PORT:-7900}");
    }

    @Test
    void everyCopySourceIsInTheBuildContextOrAnEarlierStage() throws IOException {
        List<Stage> stages = stages();
        DockerIgnore ignore = DockerIgnore.read(Path.of(".dockerignore"));

        List<String> checked = new ArrayList<>();
        for (Stage stage : stages) {
            for (String copy : stage.all("COPY")) {
                List<String> words = new ArrayList<>(List.of(copy.split("\\s+")));
                String from = null;
                while (words.getFirst().startsWith("--")) {
                    String option = words.removeFirst();
                    if (option.startsWith("--from=")) {
                        from = option.substring("--from=".length());
                    }
                }
                List<String> sources = words.subList(0, words.size() - 1);
                for (String source : sources) {
                    if (from != null) {
                        String stageName = from;
                        Stage producer = stages.stream()
                                .filter(s -> stageName.equals(s.name()))
                                .findFirst()
                                .orElseThrow(() -> new AssertionError("no stage named " + stageName));
                        assertThat(String.join("\n", producer.all("RUN")))
                                .as("stage %s produces %s", stageName, source)
                                .contains(source.replaceAll("/[^/]*$", ""))
                                .contains(source.substring(source.lastIndexOf('/') + 1));
                    } else {
                        Path path = Path.of(source);
                        assertThat(path).as("COPY source %s", source).exists();
                        assertThat(ignore.excludes(path.normalize().toString()))
                                .as("%s is excluded by .dockerignore", source)
                                .isFalse();
                    }
                    checked.add(source);
                }
            }
        }
        assertThat(checked).contains("mvnw", "pom.xml", ".mvn/", "src/", "/out/broker/");
    }

    @Test
    void theBuildContextLeavesOutGitTheBuildOutputAndTheDevDatabase() throws IOException {
        DockerIgnore ignore = DockerIgnore.read(Path.of(".dockerignore"));

        assertThat(ignore.excludes(".git")).isTrue();
        assertThat(ignore.excludes(".git/config")).isTrue();
        assertThat(ignore.excludes("target/classes/application.properties")).isTrue();
        assertThat(ignore.excludes(".dev-data/postgres/PG_VERSION")).isTrue();
        assertThat(ignore.excludes("pom.xml")).isFalse();
        assertThat(ignore.excludes("src/main/java/com/claudemesh/broker/BrokerApplication.java"))
                .isFalse();
        assertThat(ignore.excludes(".mvn/wrapper/maven-wrapper.properties")).isFalse();
    }

    private static List<Stage> stages() throws IOException {
        List<Stage> stages = new ArrayList<>();
        for (Instruction instruction : instructions(DOCKERFILE)) {
            if (instruction.keyword().equals("FROM")) {
                String[] words = instruction.arguments().split("\\s+");
                String name = words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
                stages.add(new Stage(words[0], name, new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.getLast().instructions().add(instruction);
            }
        }
        return stages;
    }

    private static List<Instruction> instructions(Path dockerfile) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed)
                    .append(' ');
            if (!continues) {
                String text = current.toString().trim().replaceAll("\\s+", " ");
                int space = text.indexOf(' ');
                instructions.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)));
                current.setLength(0);
            }
        }
        return instructions;
    }

    /** Docker's rules for .dockerignore: a pattern matches a path or one of its parents; the last match wins. */
    record DockerIgnore(List<String> patterns) {

        static DockerIgnore read(Path file) throws IOException {
            return new DockerIgnore(Files.readAllLines(file).stream()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList());
        }

        boolean excludes(String path) {
            boolean excluded = false;
            for (String pattern : patterns) {
                boolean negated = pattern.startsWith("!");
                String glob = (negated ? pattern.substring(1) : pattern).replaceAll("/+$", "");
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                for (Path p = Path.of(path); p != null; p = p.getParent()) {
                    if (matcher.matches(p)) {
                        excluded = !negated;
                        break;
                    }
                }
            }
            return excluded;
        }
    }

    // ---- docker-compose.yml ----

    @Test
    void composeRunsPostgres17TheBrokerPrometheusAndGrafana() throws IOException {
        Map<String, Object> services = map(compose("docker-compose.yml").get("services"));

        assertThat(services).containsOnlyKeys("postgres", "broker", "prometheus", "grafana");
        Map<String, Object> postgres = map(services.get("postgres"));
        assertThat((String) postgres.get("image")).startsWith("postgres:17");
        assertThat(map(postgres.get("healthcheck"))).containsKey("test");
        assertThat(namedVolumes(postgres)).contains("pgdata");
        assertThat(map(compose("docker-compose.yml").get("volumes"))).containsKey("pgdata");

        Map<String, Object> broker = map(services.get("broker"));
        Map<String, Object> build = map(broker.get("build"));
        assertThat(build).containsEntry("context", ".").containsEntry("dockerfile", "ops/Dockerfile");
        assertThat(map(build.get("args"))).containsKey("GIT_SHA");
        assertThat(map(map(broker.get("depends_on")).get("postgres"))).containsEntry("condition", "service_healthy");
        Map<String, Object> environment = map(broker.get("environment"));
        assertThat((String) environment.get("DATABASE_URL")).contains("@postgres:5432/");
        assertThat((String) environment.get("BROKER_ADMIN_TOKEN")).startsWith("${BROKER_ADMIN_TOKEN:?");
        // Behind the proxy the client address comes from X-Forwarded-For sent from the compose network.
        String trusted = (String) environment.get("TRUSTED_PROXIES");
        assertThat(trusted).startsWith("${TRUSTED_PROXIES:-");
        List<String> ranges = List.of(trusted.substring("${TRUSTED_PROXIES:-".length(), trusted.length() - 1)
                .split(","));
        assertThat(ranges).allSatisfy(range -> assertThat(Cidr.parse(range)).isPresent());
        assertThat(ranges).contains("172.16.0.0/12");
        assertThat(environment).doesNotContainKey("SERVER_FORWARD_HEADERS_STRATEGY");

        assertThat(map(map(services.get("grafana")).get("depends_on"))).containsKey("prometheus");
        assertThat(map(map(map(services.get("prometheus")).get("depends_on")).get("broker")))
                .containsKey("condition");
    }

    @Test
    void theBrokersDescriptorLimitIsAboveItsSocketLimit() throws IOException {
        Map<String, Object> broker =
                map(map(compose("docker-compose.yml").get("services")).get("broker"));
        Properties application = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            application.load(in);
        }
        // ${MAX_SOCKETS:20000}: the default, and Tomcat's own connections beyond it.
        String maxSockets = application.getProperty("broker.max-sockets");
        int sockets = Integer.parseInt(maxSockets.substring(maxSockets.indexOf(':') + 1, maxSockets.length() - 1))
                + TomcatSessionBuffers.HEADROOM;

        Map<String, Object> nofile = map(map(broker.get("ulimits")).get("nofile"));
        assertThat((Integer) nofile.get("soft")).isGreaterThan(sockets);
        assertThat((Integer) nofile.get("hard")).isGreaterThanOrEqualTo((Integer) nofile.get("soft"));
    }

    @Test
    void portsArePublishedOnlyByTheOverrideForTheCaseWithoutAProxy() throws IOException {
        Map<String, Object> base = map(compose("docker-compose.yml").get("services"));
        Map<String, Object> override =
                map(compose("docker-compose.override.yml").get("services"));

        base.forEach((name, service) -> assertThat(map(service))
                .as("%s publishes no port behind a proxy", name)
                .doesNotContainKey("ports"));
        assertThat(list(map(base.get("broker")).get("expose"))).containsExactly("7900");

        Map<String, Object> broker = map(override.get("broker"));
        assertThat(list(broker.get("ports"))).containsExactly("7900:7900");
        // Published directly, anyone could send X-Forwarded-For: the broker must not trust it.
        assertThat(map(broker.get("environment"))).containsEntry("TRUSTED_PROXIES", "");
        assertThat(list(map(override.get("grafana")).get("ports"))).containsExactly("127.0.0.1:3000:3000");
        assertThat(list(map(override.get("prometheus")).get("ports"))).containsExactly("127.0.0.1:9090:9090");
        assertThat(override).containsOnlyKeys("broker", "grafana", "prometheus");
    }

    @Test
    void everyMountedPathExistsInTheRepository() throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String file : List.of("docker-compose.yml", "docker-compose.override.yml")) {
            Map<String, Object> services = map(compose(file).get("services"));
            for (Object service : services.values()) {
                for (Object volume : list(map(service).getOrDefault("volumes", List.of()))) {
                    String source = ((String) volume).split(":")[0];
                    if (source.startsWith("./") || source.startsWith("/")) {
                        mounts.add(source);
                        assertThat(Path.of(source))
                                .as("mounted path %s", source)
                                .exists();
                    }
                }
            }
        }
        assertThat(mounts)
                .contains(
                        "./ops/prometheus/prometheus.yml",
                        "./ops/prometheus/alerts.yml",
                        "./ops/grafana/provisioning",
                        "./ops/grafana/dashboards");
    }

    @Test
    void prometheusLoadsTheConfigAndTheRulesWhereTheConfigExpectsThem() throws IOException {
        Map<String, Object> prometheus =
                map(map(compose("docker-compose.yml").get("services")).get("prometheus"));
        Map<String, String> mounted = bindMounts(prometheus);
        String configFile = list(prometheus.get("command")).stream()
                .map(String.class::cast)
                .filter(argument -> argument.startsWith("--config.file="))
                .map(argument -> argument.substring("--config.file=".length()))
                .findFirst()
                .orElseThrow();
        assertThat(mounted).containsEntry(configFile, "./ops/prometheus/prometheus.yml");

        Map<String, Object> config = yaml(Path.of("ops/prometheus/prometheus.yml"));
        String configDir = configFile.substring(0, configFile.lastIndexOf('/') + 1);
        for (Object rules : list(config.get("rule_files"))) {
            assertThat(mounted).containsEntry(configDir + rules, "./ops/prometheus/" + rules);
        }
        // It scrapes the broker service on its port.
        Map<String, Object> job = map(list(config.get("scrape_configs")).getFirst());
        assertThat(job).containsEntry("metrics_path", "/metrics");
        assertThat(list(map(list(job.get("static_configs")).getFirst()).get("targets")))
                .containsExactly("broker:7900");
    }

    @Test
    void grafanaIsProvisionedFromOpsGrafanaWithTheAdminPasswordFromTheEnvironment() throws IOException {
        Map<String, Object> grafana =
                map(map(compose("docker-compose.yml").get("services")).get("grafana"));
        Map<String, String> mounted = bindMounts(grafana);
        Map<String, Object> environment = map(grafana.get("environment"));

        assertThat((String) environment.get("GF_SECURITY_ADMIN_PASSWORD")).startsWith("${GRAFANA_ADMIN_PASSWORD");
        assertThat((String) environment.get("GF_AUTH_ANONYMOUS_ENABLED")).startsWith("${GRAFANA_ANONYMOUS");
        assertThat(environment).containsEntry("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer");
        assertThat(mounted).containsEntry("/etc/grafana/provisioning", "./ops/grafana/provisioning");

        Map<String, Object> provider = map(list(yaml(Path.of("ops/grafana/provisioning/dashboards/claudemesh.yml"))
                        .get("providers"))
                .getFirst());
        String dashboards = (String) map(provider.get("options")).get("path");
        assertThat(mounted).containsEntry(dashboards, "./ops/grafana/dashboards");
        assertThat(Path.of("ops/grafana/dashboards/broker.json")).exists();

        Map<String, Object> datasource = map(list(yaml(Path.of("ops/grafana/provisioning/datasources/prometheus.yml"))
                        .get("datasources"))
                .getFirst());
        assertThat(datasource).containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");
    }

    private static Map<String, String> bindMounts(Map<String, Object> service) {
        Map<String, String> mounts = new java.util.LinkedHashMap<>();
        for (Object volume : list(service.get("volumes"))) {
            Matcher m = Pattern.compile("(\\./[^:]+):([^:]+)(:ro)?").matcher((String) volume);
            if (m.matches()) {
                mounts.put(m.group(2), m.group(1));
            }
        }
        return mounts;
    }

    private static List<String> namedVolumes(Map<String, Object> service) {
        return list(service.get("volumes")).stream()
                .map(String.class::cast)
                .map(volume -> volume.split(":")[0])
                .filter(source -> !source.startsWith(".") && !source.startsWith("/"))
                .toList();
    }

    private static Map<String, Object> compose(String file) throws IOException {
        return yaml(Path.of(file));
    }

    static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }
}
