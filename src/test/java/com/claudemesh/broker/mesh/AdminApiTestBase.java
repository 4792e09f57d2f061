package com.claudemesh.broker.mesh;

import com.claudemesh.broker.support.BrokerIntegrationTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Helpers to drive the admin API with the test admin token; same context shape as every integration test. */
public abstract class AdminApiTestBase extends BrokerIntegrationTest {

    protected final JsonMapper json = JsonMapper.builder().build();

    protected HttpResponse<String> adminGet(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> adminPost(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    protected JsonNode body(HttpResponse<String> response) {
        return json.readTree(response.body());
    }

    protected static String uniqueSlug(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a mesh through the API and returns the 201 body. */
    protected JsonNode createMesh(String slug) throws Exception {
        HttpResponse<String> response =
                adminPost("/api/meshes", "{\"name\":\"Mesh " + slug + "\",\"slug\":\"" + slug + "\"}");
        if (response.statusCode() != 201) {
            throw new AssertionError("mesh creation failed: " + response.statusCode() + " " + response.body());
        }
        return body(response);
    }

    /** Issues an invite through the API and returns the 201 body. */
    protected JsonNode createInvite(String meshId, String requestBody) throws Exception {
        HttpResponse<String> response = adminPost("/api/meshes/" + meshId + "/invites", requestBody);
        if (response.statusCode() != 201) {
            throw new AssertionError("invite creation failed: " + response.statusCode() + " " + response.body());
        }
        return body(response);
    }

    protected static String problemCode(JsonNode problem) {
        return problem.path("code").asString();
    }
}
