package com.claudemesh.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.mesh.AdminApiTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Every change of issue 3 leaves one metadata-only audit row; none carries a key, token or signature. */
class AuditTrailTest extends AdminApiTestBase {

    @Autowired
    Ed25519 ed25519;

    @BeforeEach
    void clean() {
        truncateAll();
    }

    @Test
    void theWholeLifecycleIsAuditedWithoutSecrets() throws Exception {
        JsonNode mesh = createMesh("audited");
        String meshId = mesh.get("id").asString();
        JsonNode invite = createInvite(meshId, "{\"maxUses\":2}");
        JsonNode revokedInvite = createInvite(meshId, "{\"role\":\"admin\"}");
        String pubkey = ed25519.generate().publicKeyHex();
        String memberId = body(postJson("/join", joinBody(invite, pubkey)))
                .get("memberId")
                .asString();
        postJson("/join", joinBody(invite, pubkey));
        adminPost("/api/invites/" + revokedInvite.get("id").asString() + "/revoke", "");
        adminPost("/api/meshes/" + meshId + "/members/" + memberId + "/revoke", "");
        jdbc.update("INSERT INTO mesh.mesh (id, name, slug) VALUES ('legacy', 'Legacy', 'legacy')");
        adminPost("/api/admin/backfill-keys", "");
        adminPost("/api/meshes/" + meshId + "/archive", "");

        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT event_type, actor_peer_id, target_peer_id, metadata::text AS metadata FROM mesh.audit_log ORDER BY created_at, event_type");
        assertThat(rows)
                .extracting(row -> row.get("event_type"))
                .containsExactlyInAnyOrder(
                        "mesh_created",
                        "invite_created",
                        "invite_created",
                        "member_joined",
                        "invite_revoked",
                        "member_revoked",
                        "keys_backfilled",
                        "mesh_archived");
        Map<String, Object> joined = rows.stream()
                .filter(row -> row.get("event_type").equals("member_joined"))
                .findFirst()
                .orElseThrow();
        assertThat(joined.get("target_peer_id")).isEqualTo(memberId);
        JsonNode joinedMetadata = json.readTree((String) joined.get("metadata"));
        assertThat(joinedMetadata.get("invite_id").asString())
                .isEqualTo(invite.get("id").asString());
        assertThat(joinedMetadata.get("role").asString()).isEqualTo("member");

        List<String> secrets = new ArrayList<>();
        for (Map<String, Object> keys :
                jdbc.queryForList("SELECT owner_pubkey, owner_secret_key, root_key FROM mesh.mesh")) {
            secrets.add(((String) keys.get("owner_secret_key")).substring(0, 64));
            secrets.add((String) keys.get("root_key"));
            secrets.add((String) keys.get("owner_pubkey"));
        }
        for (JsonNode issued : List.of(invite, revokedInvite)) {
            secrets.add(issued.get("token").asString());
            secrets.add(issued.get("token").asString().substring(0, 40));
            secrets.add(issued.get("payload").get("signature").asString());
        }
        secrets.add(pubkey);
        for (Map<String, Object> row : rows) {
            String metadata = (String) row.get("metadata");
            for (String secret : secrets) {
                assertThat(metadata)
                        .as("audit metadata of %s", row.get("event_type"))
                        .doesNotContain(secret);
            }
        }
    }

    private String joinBody(JsonNode invite, String pubkey) {
        var body = json.createObjectNode();
        body.put("invite_token", invite.get("token").asString());
        body.set("invite_payload", invite.get("payload"));
        body.put("peer_pubkey", pubkey);
        body.put("display_name", "audited-peer");
        return body.toString();
    }
}
