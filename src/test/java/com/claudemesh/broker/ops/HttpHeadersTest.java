package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.RawWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 7 — what every HTTP response of the one port says about itself: no server banner
 * (no {@code Server} header, no product or version in any body), {@code Cache-Control: no-store}
 * on every response, and no CORS permission for the admin API, whatever {@code Origin} asks.
 */
class HttpHeadersTest extends BrokerIntegrationTest {

    /** One request of every kind the broker answers: each surface, success and error, app and Tomcat. */
    private static final List<String> REQUESTS = List.of(
            "GET /health",
            "GET /metrics",
            "GET /actuator/health/liveness",
            "GET /api/meshes AUTH",
            "GET /api/meshes",
            "GET /api/meshes/none AUTH",
            "DELETE /api/meshes AUTH",
            "GET /api/nope AUTH",
            "POST /api/meshes AUTH {\"name\":",
            "POST /join {}",
            "POST /join {\"x\":",
            "GET /join",
            "POST /hook/set-status {\"cwd\":\"/hdr\"}",
            "GET /hook/set-status",
            "GET /no/such/path",
            "GET /error",
            "GET /ws",
            "GET /api/meshes/a%00b",
            "GET /a%00b");

    @Test
    void noServerHeaderAndNoProductOrVersionInAnyResponse() throws Exception {
        List<String> responses = new ArrayList<>();
        for (String request : REQUESTS) {
            responses.add(raw(request));
        }
        responses.add(upgrade());

        for (String response : responses) {
            String lower = response.toLowerCase(Locale.ROOT);
            assertThat(headers(lower)).as(response).noneMatch(header -> header.startsWith("server:"));
            assertThat(headers(lower)).as(response).noneMatch(header -> header.startsWith("x-powered-by:"));
            // Prometheus text names its tomcat_* series and the JVM's version (jvm_info) by design.
            if (!lower.contains("# type ")) {
                assertThat(body(lower)).as(response).doesNotContain("tomcat", "apache", "jetty", "spring", "11.0.");
            }
        }
    }

    @Test
    void everyResponseIsCacheControlNoStore() throws Exception {
        for (String request : REQUESTS) {
            String response = raw(request);

            assertThat(headers(response.toLowerCase(Locale.ROOT)))
                    .as(request + " → " + response)
                    .contains("cache-control: no-store");
        }
    }

    @Test
    void anAdminRouteNeverGrantsCorsToAnOrigin() throws Exception {
        List<String> origins = List.of("https://evil.example", "null", "http://localhost:" + port);
        List<String[]> routes = List.of(
                new String[] {"GET", "/api/meshes"},
                new String[] {"POST", "/api/meshes"},
                new String[] {"GET", "/api/meshes/none/invites"},
                new String[] {"POST", "/api/meshes/none/invites"},
                new String[] {"POST", "/api/invites/none/revoke"},
                new String[] {"POST", "/api/admin/backfill-keys"});
        for (String origin : origins) {
            for (String[] route : routes) {
                for (boolean authorised : List.of(true, false)) {
                    HttpRequest.Builder preflight = HttpRequest.newBuilder(uri(route[1]))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .header("Origin", origin)
                            .header("Access-Control-Request-Method", route[0])
                            .header("Access-Control-Request-Headers", "authorization, content-type");
                    HttpRequest.Builder actual = HttpRequest.newBuilder(uri(route[1]))
                            .method(route[0], HttpRequest.BodyPublishers.ofString("{}"))
                            .header("Origin", origin)
                            .header("Content-Type", "application/json");
                    if (authorised) {
                        preflight.header("Authorization", "Bearer " + ADMIN_TOKEN);
                        actual.header("Authorization", "Bearer " + ADMIN_TOKEN);
                    }
                    for (HttpRequest request : List.of(preflight.build(), actual.build())) {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        String why = request.method() + " " + route[1] + " from " + origin
                                + (authorised ? " with the token" : "");
                        assertThat(response.headers().firstValue("Access-Control-Allow-Origin"))
                                .as(why)
                                .isEmpty();
                        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials"))
                                .as(why)
                                .isEmpty();
                    }
                }
            }
        }
    }

    /** {@code "METHOD /path [AUTH] [body]"} sent as written, the raw response back. */
    private String raw(String request) throws IOException {
        String[] parts = request.split(" ", 3);
        boolean auth = parts.length > 2 && parts[2].startsWith("AUTH");
        String body = parts.length > 2 ? parts[2].replaceFirst("^AUTH ?", "") : "";
        StringBuilder head = new StringBuilder(parts[0] + " " + parts[1] + " HTTP/1.1\r\nHost: localhost\r\n");
        head.append("Connection: close\r\n");
        if (auth) {
            head.append("Authorization: Bearer ").append(ADMIN_TOKEN).append("\r\n");
        }
        if (!body.isEmpty()) {
            head.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(body.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n");
        }
        head.append("\r\n").append(body);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The head of a successful WebSocket upgrade (101). */
    private String upgrade() throws IOException {
        try (Socket socket = RawWebSocket.tcp(port)) {
            socket.setSoTimeout(10_000);
            String key = Base64.getEncoder().encodeToString(new byte[16]);
            socket.getOutputStream()
                    .write(RawWebSocket.upgradeRequest(port, key).getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = RawWebSocket.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101");
            return head;
        }
    }

    private static String body(String response) {
        int end = response.indexOf("\r\n\r\n");
        return end < 0 ? "" : response.substring(end + 4);
    }

    private static List<String> headers(String response) {
        int end = response.indexOf("\r\n\r\n");
        return List.of((end < 0 ? response : response.substring(0, end)).split("\r\n"));
    }
}
