package com.claudemesh.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.claudemesh.broker.config.InvalidConfigurationException;
import com.claudemesh.broker.crypto.Vectors;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Owner secret keys encrypted at rest with BROKER_KEY_ENCRYPTION_KEY, and the start-up key check. */
@ExtendWith(OutputCaptureExtension.class)
class KeyEncryptionAtRestTest {

    static final String KEY = "5f".repeat(32);
    static final String OTHER_KEY = "a0".repeat(32);
    static final String TOKEN = "separate-admin-token-0123456789";

    private final TestDatabase.Endpoint db = StandaloneBroker.newDatabase();
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @AfterEach
    void dropDatabase() throws Exception {
        StandaloneBroker.drop(db);
    }

    @Test
    void secretKeysAreSealedAtRestAndInvitesOfSealedAndPlaintextRowsVerify() throws Exception {
        try (StandaloneBroker broker = startWith(KEY)) {
            int port = broker.port();
            JsonNode mesh = json.readTree(post(port, "/api/meshes", "{\"name\":\"Sealed\",\"slug\":\"sealed\"}")
                    .body());
            String meshId = mesh.get("id").asString();
            insertPlaintextVectorMesh();

            String stored = query("SELECT owner_secret_key FROM mesh.mesh WHERE id = '" + meshId + "'");
            assertThat(stored)
                    .startsWith("enc:v1:")
                    .doesNotContain(mesh.get("ownerPubkey").asString());
            assertThat(query("SELECT count(*) FROM mesh.key_encryption_check")).isEqualTo("1");
            for (String id : new String[] {meshId, "mesh_vec_0001"}) {
                HttpResponse<String> invite = post(port, "/api/meshes/" + id + "/invites", "{}");
                assertThat(invite.statusCode()).isEqualTo(201);
                JsonNode payload = json.readTree(invite.body()).get("payload");
                String canonical = String.join(
                        "|",
                        payload.get("v").asString(),
                        payload.get("mesh_id").asString(),
                        payload.get("mesh_slug").asString(),
                        payload.get("broker_url").asString(),
                        payload.get("expires_at").asString(),
                        payload.get("mesh_root_key").asString(),
                        payload.get("role").asString(),
                        payload.get("owner_pubkey").asString());
                assertThat(Vectors.ed25519()
                                .verify(
                                        canonical,
                                        payload.get("signature").asString(),
                                        payload.get("owner_pubkey").asString()))
                        .isTrue();
            }
            assertThat(query("SELECT owner_secret_key FROM mesh.mesh WHERE id = 'mesh_vec_0001'"))
                    .isEqualTo(Vectors.text("keys", "owner", "secretKeyHex"));
        }
    }

    @Test
    void aWrongKeyOrNoKeyRefusesToStartWithOneClearLine(CapturedOutput output) throws Exception {
        try (StandaloneBroker broker = startWith(KEY)) {
            post(broker.port(), "/api/meshes", "{\"name\":\"Sealed\",\"slug\":\"sealed\"}");
        }

        assertThatThrownBy(() -> startWith(OTHER_KEY))
                .hasStackTraceContaining(InvalidConfigurationException.class.getName())
                .hasStackTraceContaining("BROKER_KEY_ENCRYPTION_KEY does not match");
        assertThatThrownBy(
                        () -> StandaloneBroker.start(db, "broker.admin-token=" + TOKEN, "broker.key-encryption-key="))
                .hasStackTraceContaining("BROKER_KEY_ENCRYPTION_KEY is not set, but the owner keys");
        assertThat(output.getErr())
                .contains("claudemesh-broker: cannot start: BROKER_KEY_ENCRYPTION_KEY does not match")
                .doesNotContain(OTHER_KEY)
                .doesNotContain(KEY);
    }

    @Test
    void aWrongKeyIsRefusedEvenBeforeACheckValueWasStored() throws Exception {
        try (StandaloneBroker broker = startWith(KEY)) {
            post(broker.port(), "/api/meshes", "{\"name\":\"Sealed\",\"slug\":\"sealed\"}");
        }
        execute("DELETE FROM mesh.key_encryption_check");

        assertThatThrownBy(() -> startWith(OTHER_KEY))
                .hasStackTraceContaining("BROKER_KEY_ENCRYPTION_KEY does not match");
    }

    private StandaloneBroker startWith(String key) {
        return StandaloneBroker.start(db, "broker.admin-token=" + TOKEN, "broker.key-encryption-key=" + key);
    }

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void insertPlaintextVectorMesh() throws Exception {
        execute("INSERT INTO mesh.mesh (id, name, slug, owner_pubkey, owner_secret_key, root_key) VALUES ("
                + "'mesh_vec_0001', 'Web app mesh', 'vector-mesh', '"
                + Vectors.text("keys", "owner", "publicKeyHex") + "', '"
                + Vectors.text("keys", "owner", "secretKeyHex") + "', 'BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ')");
    }

    private String query(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
