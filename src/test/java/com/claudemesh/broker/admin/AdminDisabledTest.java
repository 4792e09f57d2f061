package com.claudemesh.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Without BROKER_ADMIN_TOKEN the admin API is off (503 admin_disabled) and start-up says how to enable it. */
@ExtendWith(OutputCaptureExtension.class)
class AdminDisabledTest {

    private final TestDatabase.Endpoint db = StandaloneBroker.newDatabase();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void dropDatabase() throws Exception {
        StandaloneBroker.drop(db);
    }

    @Test
    void everyApiRouteAnswers503AdminDisabledWhileJoinAndHealthStillWork(CapturedOutput output) throws Exception {
        try (StandaloneBroker broker = StandaloneBroker.start(db, "broker.admin-token=")) {
            int port = broker.port();

            for (String path : new String[] {"/api/meshes", "/api/meshes/x/invites", "/api/anything"}) {
                for (String authorization : new String[] {"Bearer anything-at-all-123456", ""}) {
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"slug\":\"xyz\"}"))
                            .header("Content-Type", "application/json");
                    if (!authorization.isEmpty()) {
                        request.header("Authorization", authorization);
                    }
                    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).isEqualTo(503);
                    assertThat(response.body()).contains("\"code\":\"admin_disabled\"");
                }
            }
            HttpResponse<String> join = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/join"))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(join.statusCode()).isEqualTo(400);
        }
        assertThat(output.getOut().lines().filter(line -> line.contains("Admin API disabled")))
                .hasSize(1)
                .allSatisfy(line -> assertThat(line).contains("BROKER_ADMIN_TOKEN"));
    }
}
