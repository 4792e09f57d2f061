package com.claudemesh.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Base64Url;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.mesh.AdminApiTestBase;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** PROTOCOL A.11 backfill over rows in every partial state, through {@code POST /api/admin/backfill-keys}. */
class KeyBackfillTest extends AdminApiTestBase {

    private static final String ROOT = "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ";

    @Autowired
    Ed25519 ed25519;

    private Ed25519.KeyPair existing;

    @BeforeEach
    void rowsInEveryPartialState() {
        truncateAll();
        existing = ed25519.generate();
        insert("none", null, null, null);
        insert("pub-only", existing.publicKeyHex(), null, ROOT);
        insert("secret-only", null, existing.secretKeyHex(), ROOT);
        insert("no-root", existing.publicKeyHex(), existing.secretKeyHex(), null);
        insert("root-only", null, null, ROOT);
        insert("complete", existing.publicKeyHex(), existing.secretKeyHex(), ROOT);
    }

    @Test
    void a11_oneRunFillsEveryMissingKeyAndASecondRunChangesNothing() throws Exception {
        Map<String, Object> completeBefore = keys("complete");

        HttpResponse<String> first = adminPost("/api/admin/backfill-keys", "");
        HttpResponse<String> second = adminPost("/api/admin/backfill-keys", "");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(body(first).get("updated").asInt()).isEqualTo(5);
        assertThat(body(second).get("updated").asInt()).isZero();
        for (String id : new String[] {"none", "pub-only", "secret-only", "no-root", "root-only", "complete"}) {
            Map<String, Object> row = keys(id);
            String pub = (String) row.get("owner_pubkey");
            String secret = (String) row.get("owner_secret_key");
            assertThat(ed25519.verify("probe", ed25519.sign("probe", secret), pub))
                    .as("keypair of %s matches", id)
                    .isTrue();
            assertThat(Base64Url.decode((String) row.get("root_key"))).hasSize(32);
        }
        assertThat(keys("complete")).isEqualTo(completeBefore);
        assertThat(keys("no-root").get("owner_pubkey")).isEqualTo(existing.publicKeyHex());
        assertThat(keys("no-root").get("root_key")).isNotEqualTo(ROOT);
        for (String id : new String[] {"pub-only", "secret-only", "root-only"}) {
            assertThat(keys(id).get("root_key"))
                    .as("root key of %s is kept", id)
                    .isEqualTo(ROOT);
            assertThat(keys(id).get("owner_pubkey")).isNotEqualTo(existing.publicKeyHex());
        }
    }

    @Test
    void a11_eachUpdatedMeshGetsOneKeysBackfilledAuditRowWithoutKeys() throws Exception {
        adminPost("/api/admin/backfill-keys", "");
        adminPost("/api/admin/backfill-keys", "");

        assertThat(jdbc.queryForList(
                        "SELECT mesh_id FROM mesh.audit_log WHERE event_type = 'keys_backfilled' ORDER BY mesh_id",
                        String.class))
                .containsExactly("no-root", "none", "pub-only", "root-only", "secret-only");
        Map<String, Object> audit = jdbc.queryForMap(
                "SELECT metadata::text AS metadata FROM mesh.audit_log WHERE mesh_id = 'no-root' AND event_type = 'keys_backfilled'");
        assertThat((String) audit.get("metadata"))
                .contains("\"generated_keypair\": false")
                .contains("\"generated_root_key\": true")
                .doesNotContain((String) keys("no-root").get("root_key"));
    }

    @Test
    void a11_backfilledMeshesCanIssueInvites() throws Exception {
        assertThat(adminPost("/api/meshes/none/invites", "{}").statusCode()).isEqualTo(409);

        adminPost("/api/admin/backfill-keys", "");

        assertThat(adminPost("/api/meshes/none/invites", "{}").statusCode()).isEqualTo(201);
    }

    private void insert(String id, String pub, String secret, String root) {
        jdbc.update(
                "INSERT INTO mesh.mesh (id, name, slug, owner_pubkey, owner_secret_key, root_key) VALUES (?, ?, ?, ?, ?, ?)",
                id,
                "Mesh " + id,
                id,
                pub,
                secret,
                root);
    }

    private Map<String, Object> keys(String id) {
        return jdbc.queryForMap("SELECT owner_pubkey, owner_secret_key, root_key FROM mesh.mesh WHERE id = ?", id);
    }
}
