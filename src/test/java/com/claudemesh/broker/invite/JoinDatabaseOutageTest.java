package com.claudemesh.broker.invite;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.crypto.Vectors;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A.10: even a 500 (the database gone) answers the v1 JSON body the CLI parses. */
class JoinDatabaseOutageTest {

    @Test
    void a10_anUnexpectedFailureAnswers500WithTheV1Body() throws Exception {
        TestDatabase.Endpoint db = StandaloneBroker.newDatabase();
        Ed25519 ed25519 = Vectors.ed25519();
        Ed25519.KeyPair owner = ed25519.generate();
        SignedInvite invite = new InviteFields(
                        1,
                        "some-mesh",
                        "some-slug",
                        "ws://localhost:7900/ws",
                        4_102_444_800L,
                        "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ",
                        "member",
                        owner.publicKeyHex())
                .sign(ed25519, owner.secretKeyHex());
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode body = json.createObjectNode();
        body.put("invite_token", invite.token());
        body.set("invite_payload", json.readTree(invite.payloadJson()));
        body.put("peer_pubkey", ed25519.generate().publicKeyHex());
        body.put("display_name", "offline");

        HttpResponse<String> response;
        try (StandaloneBroker broker = StandaloneBroker.start(db, "spring.datasource.hikari.connection-timeout=500")) {
            StandaloneBroker.drop(db);
            response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port() + "/join"))
                                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        }

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"ok\":false,\"error\":\"internal_error\"}");
    }
}
