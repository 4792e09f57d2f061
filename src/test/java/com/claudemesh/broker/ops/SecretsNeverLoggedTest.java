package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.keys.KeyReencryption;
import com.claudemesh.broker.mesh.Meshes;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.PeerCrypto;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import com.claudemesh.broker.support.WsClient;
import com.goterl.lazysodium.LazySodiumJava;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 12, item 7 and PROTOCOL Part D — the logs never hold a secret. A whole broker writes its
 * production logs (one JSON object per line, logstash format, with every key–value pair an event
 * carries, the broker's own packages at DEBUG so that no quieter statement escapes) while a full
 * scenario runs through it: the admin API (meshes, invites, lists, revocations, the key backfill),
 * joins that succeed and joins that fail, hellos that succeed and hellos that fail, DMs, a
 * broadcast, refused sends, status changes, hooks, revocation and archiving closing sessions, and
 * the re-encryption of a plaintext owner key under {@code BROKER_KEY_ENCRYPTION_KEY}. Then every
 * secret the scenario used or produced — owner secret keys (plain and sealed), root keys, the key
 * encryption key, the admin token, invite tokens, hook tokens, peer secret keys, hello signatures, nonces,
 * ciphertexts — and every full public key is looked for in everything the process printed, whole
 * and by its first and last characters; and no run of 64 hex digits may appear at all. (The shared
 * test context logs in Spring Boot's plain console format, which leaves key–value pairs out: a
 * secret logged as {@code addKeyValue("nonce", …)} would pass there and reach production logs.)
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretsNeverLoggedTest {

    private static final Pattern LONG_HEX = Pattern.compile("[0-9a-fA-F]{64,}");
    /** PROTOCOL Part D allows a public key's first 12 hex characters in a log line, no more. */
    private static final int PUBKEY_PREFIX_ALLOWED = 12;

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final SecureRandom random = new SecureRandom();
    /** What must never appear, by what it is (for the failure message). */
    private final Map<String, String> secrets = new LinkedHashMap<>();

    private final List<String> pubkeys = new ArrayList<>();
    private int port;

    @Test
    void partD_aFullScenarioLogsNoSecretKeyRootKeyTokenCiphertextNonceOrFullPubkey(CapturedOutput output)
            throws Exception {
        byte[] kek = new byte[32];
        random.nextBytes(kek);
        secret("BROKER_KEY_ENCRYPTION_KEY (hex)", HexFormat.of().formatHex(kek));
        secret("BROKER_KEY_ENCRYPTION_KEY (base64)", Base64.getEncoder().encodeToString(kek));
        secret("admin token", BrokerIntegrationTest.ADMIN_TOKEN);
        TestDatabase.Endpoint db = StandaloneBroker.newDatabase();
        try (StandaloneBroker broker = StandaloneBroker.start(
                db,
                "logging.structured.format.console=logstash",
                "logging.level.com.claudemesh=DEBUG",
                "broker.key-encryption-key=" + HexFormat.of().formatHex(kek))) {
            port = broker.port();
            Ed25519 ed25519 = broker.context().getBean(Ed25519.class);
            PeerCrypto crypto = new PeerCrypto(broker.context().getBean(LazySodiumJava.class));

            // A mesh the claudemesh web app wrote, its owner key in plaintext, and one without keys.
            Ed25519.KeyPair webOwner = ed25519.generate();
            String webRootKey = base64url(32);
            execute(
                    db,
                    "INSERT INTO mesh.mesh (id, name, slug, owner_pubkey, owner_secret_key, root_key)"
                            + " VALUES ('web-mesh', 'Web', 'web-mesh', ?, ?, ?)",
                    webOwner.publicKeyHex(),
                    webOwner.secretKeyHex(),
                    webRootKey);
            execute(db, "INSERT INTO mesh.mesh (id, name, slug) VALUES ('bare-mesh', 'Bare', 'bare-mesh')");
            keyPair("web mesh owner", webOwner);
            secret("web mesh root key", webRootKey);

            // ---- admin API ----
            JsonNode mesh = ok(admin("POST", "/api/meshes", "{\"name\":\"Secrets\",\"slug\":\"secrets-mesh\"}"), 201);
            String meshId = mesh.get("id").asString();
            JsonNode members =
                    ok(admin("POST", "/api/meshes/" + meshId + "/invites", "{\"role\":\"member\",\"maxUses\":3}"), 201);
            JsonNode admins =
                    ok(admin("POST", "/api/meshes/" + meshId + "/invites", "{\"role\":\"admin\",\"maxUses\":1}"), 201);
            JsonNode revoked = ok(admin("POST", "/api/meshes/" + meshId + "/invites", "{}"), 201);
            ok(admin("POST", "/api/invites/" + revoked.get("id").asString() + "/revoke", ""), 200);
            ok(admin("GET", "/api/meshes", null), 200);
            ok(admin("GET", "/api/meshes/" + meshId, null), 200);
            ok(admin("GET", "/api/meshes/" + meshId + "/invites", null), 200);
            ok(admin("POST", "/api/admin/backfill-keys", ""), 200);
            Meshes meshes = broker.context().getBean(Meshes.class);
            secret("secrets mesh owner secret key", meshes.signingKeys(meshId).ownerSecretKeyHex());
            secret(
                    "backfilled owner secret key",
                    meshes.signingKeys("bare-mesh").ownerSecretKeyHex());
            admin("POST", "/api/meshes", "{\"name\":\"Secrets\",\"slug\":\"secrets-mesh\"}");
            admin("POST", "/api/meshes/nope/invites", "{}");
            for (JsonNode invite : List.of(members, admins, revoked)) {
                secret("invite token", invite.get("token").asString());
                secret("invite link", invite.get("link").asString());
                secret(
                        "root key in an invite",
                        invite.get("payload").get("mesh_root_key").asString());
            }

            // ---- re-encryption of the web app's plaintext owner key, then an invite signed with it ----
            assertThat(broker.context().getBean(KeyReencryption.class).run()).isEqualTo(1);
            JsonNode webInvite = ok(admin("POST", "/api/meshes/web-mesh/invites", "{}"), 201);
            secret("invite token", webInvite.get("token").asString());
            assertThat(meshes.signingKeys("web-mesh").ownerSecretKeyHex()).isEqualTo(webOwner.secretKeyHex());

            // ---- joins ----
            Ed25519.KeyPair aliceKeys = ed25519.generate();
            Ed25519.KeyPair bobKeys = ed25519.generate();
            keyPair("alice", aliceKeys);
            keyPair("bob", bobKeys);
            String aliceId = ok(join(members, aliceKeys.publicKeyHex(), "alice"), 200)
                    .get("memberId")
                    .asString();
            ok(join(members, aliceKeys.publicKeyHex(), "alice"), 200);
            String bobId = ok(join(admins, bobKeys.publicKeyHex(), "bob"), 200)
                    .get("memberId")
                    .asString();
            join(admins, ed25519.generate().publicKeyHex(), "late");
            join(revoked, ed25519.generate().publicKeyHex(), "revoked");
            String tampered = json.writeValueAsString(members.get("payload")).replace("\"member\"", "\"admin\"");
            post(
                    "/join",
                    "{\"invite_token\":\"" + members.get("token").asString() + "\",\"invite_payload\":" + tampered
                            + ",\"peer_pubkey\":\"" + ed25519.generate().publicKeyHex()
                            + "\",\"display_name\":\"mallory\"}");
            post(
                    "/join",
                    "{\"invite_token\":\"" + members.get("token").asString() + "x\",\"invite_payload\":"
                            + json.writeValueAsString(members.get("payload")) + ",\"peer_pubkey\":\""
                            + ed25519.generate().publicKeyHex() + "\",\"display_name\":\"mallory\"}");

            // ---- sessions ----
            MeshSeeds.SeededMember alice = new MeshSeeds.SeededMember(aliceId, meshId, "alice", aliceKeys);
            MeshSeeds.SeededMember bob = new MeshSeeds.SeededMember(bobId, meshId, "bob", bobKeys);
            WsClient alices = WsClient.connect(port);
            WsClient bobs = WsClient.connect(port);
            String aliceHookToken = hello(alices, alice, ed25519);
            hello(bobs, bob, ed25519);

            for (int i = 0; i < 3; i++) {
                dm(alices, alice, bobs, bob, crypto, "dm " + i);
                dm(bobs, bob, alices, alice, crypto, "reply " + i);
            }
            PeerCrypto.Sealed broadcast =
                    crypto.seal("to everyone", bob.pubkey(), alice.keys().secretKeyHex());
            sealed(broadcast);
            alices.send("b1", "*", "next", broadcast.nonceBase64(), broadcast.ciphertextBase64());
            assertThat(alices.next().path("type").asString()).isEqualTo("ack");
            assertThat(bobs.next().path("ciphertext").asString()).isEqualTo(broadcast.ciphertextBase64());

            PeerCrypto.Sealed refused =
                    crypto.seal("refused", bob.pubkey(), alice.keys().secretKeyHex());
            sealed(refused);
            alices.send("r1", bob.pubkey(), "urgent", refused.nonceBase64(), refused.ciphertextBase64());
            alices.send(
                    "r2", ed25519.generate().publicKeyHex(), "now", refused.nonceBase64(), refused.ciphertextBase64());
            alices.sendText("{\"type\":\"send\",\"id\":\"r3\",\"targetSpec\":\"" + bob.pubkey()
                    + "\",\"priority\":\"now\",\"nonce\":\"" + refused.nonceBase64() + "\",\"ciphertext\":\"\\ud800"
                    + refused.ciphertextBase64() + "\"}");
            assertThat(List.of(alices.next(), alices.next(), alices.next()))
                    .extracting(frame -> frame.path("code").asString())
                    .containsExactly("bad_priority", "unknown_target", "malformed");
            alices.sendText("{\"type\":\"set_status\",\"status\":\"dnd\"}");
            alices.sendText("{\"type\":\"set_status\",\"status\":\"idle\"}");
            alices.sendText("{\"type\":\"nope\"}");
            assertThat(alices.next().path("code").asString()).isEqualTo("unknown_type");

            // A hello signed by alice for bob's id, one with a bad signature, one that is malformed.
            MeshSeeds.SeededMember impostor = new MeshSeeds.SeededMember(bobId, meshId, "alice", aliceKeys);
            refusedHello(WsClient.helloFrame(impostor, ed25519, System.currentTimeMillis()), "unauthorized");
            Map<String, Object> forged = WsClient.helloFrame(alice, ed25519, System.currentTimeMillis());
            forged.put("signature", HexFormat.of().formatHex(new byte[64]));
            refusedHello(forged, "bad_signature");
            Map<String, Object> broken = WsClient.helloFrame(alice, ed25519, System.currentTimeMillis());
            broken.put("pid", "x");
            refusedHello(broken, "malformed");

            // ---- hooks ----
            ok(post("/hook/set-status", "{\"cwd\":\"/home/test/alice\",\"pid\":4242,\"status\":\"working\"}"), 200);
            ok(post("/hook/set-status", "{\"cwd\":\"/home/test/nobody\",\"pid\":1,\"status\":\"working\"}"), 200);
            post("/hook/set-status", "{\"cwd\":\"/home/test/alice\",\"status\":\"busy\"}");
            ok(
                    post(
                            "/hook/set-status",
                            "{\"cwd\":\"/home/test/alice\",\"status\":\"idle\",\"token\":\"" + aliceHookToken + "\"}"),
                    200);
            String unknownToken = "not-" + aliceHookToken;
            secret("unknown hook token", unknownToken);
            post(
                    "/hook/set-status",
                    "{\"cwd\":\"/home/test/alice\",\"status\":\"dnd\",\"token\":\"" + unknownToken + "\"}");

            // ---- revoking bob and archiving the mesh close the sessions ----
            ok(admin("POST", "/api/meshes/" + meshId + "/members/" + bobId + "/revoke", ""), 200);
            assertThat(bobs.awaitClose().reason()).isEqualTo("revoked");
            ok(admin("GET", "/api/meshes/" + meshId + "/members", null), 200);
            ok(admin("POST", "/api/meshes/" + meshId + "/archive", ""), 200);
            assertThat(alices.awaitClose().reason()).isEqualTo("mesh_archived");

            // ---- every mesh's keys as the broker stores them: sealed owner keys, root keys ----
            for (String id : List.of(meshId, "bare-mesh", "web-mesh")) {
                storedKeys(db, id);
            }
        } finally {
            StandaloneBroker.drop(db);
            // Logback is one per JVM: the test contexts after this one log at their own levels again.
            LoggingSystem.get(getClass().getClassLoader()).setLogLevel("com.claudemesh", null);
        }

        List<String> lines = output.getAll().lines().toList();
        assertThat(lines)
                .as("the broker wrote its logs")
                .anyMatch(line -> line.contains("\"logger\":\"com.claudemesh.broker."));
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            String value = secret.getValue();
            assertThat(containing(lines, value)).as(secret.getKey()).isEmpty();
            if (value.length() >= 32) {
                assertThat(containing(lines, value.substring(0, 24)))
                        .as(secret.getKey() + ", its first 24 characters")
                        .isEmpty();
                assertThat(containing(lines, value.substring(value.length() - 24)))
                        .as(secret.getKey() + ", its last 24 characters")
                        .isEmpty();
            }
        }
        for (String pubkey : pubkeys) {
            assertThat(containing(lines, pubkey.substring(0, PUBKEY_PREFIX_ALLOWED + 1)))
                    .as("a public key beyond its first %d hex characters", PUBKEY_PREFIX_ALLOWED)
                    .isEmpty();
            assertThat(containing(lines, pubkey.substring(pubkey.length() - 24)))
                    .as("the end of a public key")
                    .isEmpty();
        }
        assertThat(lines)
                .as("a run of 64 hex digits")
                .noneMatch(line -> LONG_HEX.matcher(line).find());
    }

    /** The printed lines holding {@code needle}, either case (hex may be logged upper-case). */
    private static List<String> containing(List<String> lines, String needle) {
        String lower = needle.toLowerCase(Locale.ROOT);
        return lines.stream()
                .filter(line -> line.toLowerCase(Locale.ROOT).contains(lower))
                .toList();
    }

    // ---- the scenario's steps ----

    /** Returns the session's hook token. */
    private String hello(WsClient client, MeshSeeds.SeededMember member, Ed25519 ed25519) {
        Map<String, Object> hello = WsClient.helloFrame(member, ed25519, WsClient.helloTimestamp(Clock.systemUTC()));
        secret("hello signature", (String) hello.get("signature"));
        client.sendJson(hello);
        JsonNode ack = client.next();
        assertThat(ack.path("type").asString()).isEqualTo("hello_ack");
        String hookToken = ack.path("hookToken").asString();
        secret("hook token", hookToken);
        return hookToken;
    }

    private void refusedHello(Map<String, Object> hello, String code) {
        secret("hello signature", (String) hello.get("signature"));
        WsClient client = WsClient.connect(port);
        client.sendJson(hello);
        assertThat(client.next().path("code").asString()).isEqualTo(code);
        client.awaitClose();
    }

    private void dm(
            WsClient from,
            MeshSeeds.SeededMember sender,
            WsClient to,
            MeshSeeds.SeededMember recipient,
            PeerCrypto crypto,
            String text) {
        PeerCrypto.Sealed box =
                crypto.seal(text, recipient.pubkey(), sender.keys().secretKeyHex());
        sealed(box);
        from.send("dm", recipient.pubkey(), "now", box.nonceBase64(), box.ciphertextBase64());
        assertThat(from.next().path("type").asString()).isEqualTo("ack");
        JsonNode push = to.next();
        assertThat(crypto.open(
                        push.path("nonce").asString(),
                        push.path("ciphertext").asString(),
                        sender.pubkey(),
                        recipient.keys().secretKeyHex()))
                .isEqualTo(text);
    }

    private HttpResponse<String> join(JsonNode invite, String pubkey, String name) throws Exception {
        return post(
                "/join",
                "{\"invite_token\":\"" + invite.get("token").asString() + "\",\"invite_payload\":"
                        + json.writeValueAsString(invite.get("payload")) + ",\"peer_pubkey\":\"" + pubkey
                        + "\",\"display_name\":\"" + name + "\"}");
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + BrokerIntegrationTest.ADMIN_TOKEN);
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return json.readTree(response.body());
    }

    // ---- what is secret ----

    private void secret(String what, String value) {
        secrets.put(what + " #" + secrets.size(), value);
    }

    private void keyPair(String whose, Ed25519.KeyPair keys) {
        secret(whose + " secret key", keys.secretKeyHex());
        pubkeys.add(keys.publicKeyHex());
    }

    private void sealed(PeerCrypto.Sealed box) {
        secret("nonce", box.nonceBase64());
        secret("ciphertext", box.ciphertextBase64());
    }

    /** The owner secret key exactly as stored (sealed once the key encryption key is set) and the root key. */
    private void storedKeys(TestDatabase.Endpoint db, String meshId) throws Exception {
        try (Connection c = db.open();
                PreparedStatement s = c.prepareStatement(
                        "SELECT owner_pubkey, owner_secret_key, root_key FROM mesh.mesh WHERE id = ?")) {
            s.setString(1, meshId);
            try (ResultSet row = s.executeQuery()) {
                assertThat(row.next()).isTrue();
                pubkeys.add(row.getString(1));
                assertThat(row.getString(2)).as("sealed at rest").startsWith("enc:v1:");
                secret("stored owner secret key of " + meshId, row.getString(2));
                secret("root key of " + meshId, row.getString(3));
            }
        }
    }

    private static void execute(TestDatabase.Endpoint db, String sql, String... parameters) throws Exception {
        try (Connection c = db.open();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setString(i + 1, parameters[i]);
            }
            s.execute();
        }
    }

    private String base64url(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }
}
