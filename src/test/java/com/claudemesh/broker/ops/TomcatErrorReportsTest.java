package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.BrokerIntegrationTest;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests Tomcat refuses before any controller runs still get the broker's JSON error shape. */
class TomcatErrorReportsTest extends BrokerIntegrationTest {

    private String raw(String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream()
                    .write((requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GET /a b HTTP/1.1",
                "GET /join/a%00b HTTP/1.1",
                "GET /%zz HTTP/1.1",
                "GET /ws/%ED%A0%80 HTTP/1.1",
                "GET /hook/../../etc/passwd HTTP/1.1"
            })
    void anInvalidRequestTargetIs400WithAJsonBody_noHtmlNoServerBanner(String requestLine) throws Exception {
        String response = raw(requestLine);

        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response.toLowerCase()).contains("content-type: application/json");
        assertThat(response).endsWith("{\"ok\":false,\"error\":\"bad_request\"}");
        assertThat(response.toLowerCase()).doesNotContain("<html").doesNotContain("tomcat");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GET /api/meshes/a%00b HTTP/1.1",
                "GET /api/meshes/%C0%AE%C0%AE HTTP/1.1",
                "POST /api/meshes/..%2F..%2Fetc/invites HTTP/1.1"
            })
    void anInvalidAdminRequestTargetIs400AsTheAdminApisProblem(String requestLine) throws Exception {
        String response = raw(requestLine);

        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response.toLowerCase()).contains("content-type: application/problem+json");
        assertThat(response).contains("\"status\":400").endsWith("\"code\":\"bad_request\"}");
        assertThat(response.toLowerCase()).doesNotContain("<html").doesNotContain("tomcat");
    }
}
