package com.claudemesh.broker.session;

import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.support.BrokerIntegrationTest;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.PeerCrypto;
import com.claudemesh.broker.support.WsClient;
import com.goterl.lazysodium.LazySodiumJava;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;

/** Real sockets against the shared broker context, with seeded meshes and real libsodium. */
abstract class SessionTestBase extends BrokerIntegrationTest {

    @Autowired
    Ed25519 ed25519;

    @Autowired
    LazySodiumJava sodium;

    @Autowired
    BrokerProperties properties;

    @Autowired
    SessionRegistry registry;

    MeshSeeds seeds;
    PeerCrypto crypto;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void sessionFixtures() {
        seeds = new MeshSeeds(jdbc, ed25519);
        crypto = new PeerCrypto(sodium);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(client -> {
            try {
                client.abort();
            } catch (RuntimeException ignored) {
                // already gone
            }
        });
        clients.clear();
    }

    WsClient connect() {
        WsClient client = WsClient.connect(port, true, forwardedFor());
        clients.add(client);
        return client;
    }

    /** A socket whose handshake says it was forwarded for {@code address}. */
    WsClient connectAs(String address) {
        WsClient client = WsClient.connect(port, true, address);
        clients.add(client);
        return client;
    }

    /** What each new socket's handshake says it was forwarded for; nothing on the shared broker. */
    String forwardedFor() {
        return null;
    }

    WsClient connect(int otherPort) {
        WsClient client = WsClient.connect(otherPort);
        clients.add(client);
        return client;
    }

    WsClient connectReadingOnly(long frames) {
        WsClient client = WsClient.connectReadingOnly(port, frames, forwardedFor());
        clients.add(client);
        return client;
    }

    /** Waits until the member has no live presence: its sessions' closes are stored. */
    void awaitPresenceClosedFor(MeshSeeds.SeededMember member) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> jdbc.queryForObject(
                                "SELECT count(*) FROM mesh.presence WHERE member_id = ? AND disconnected_at IS NULL",
                                Integer.class,
                                member.id())
                        == 0);
    }

    /** A connected peer past hello. */
    WsClient online(MeshSeeds.SeededMember member) {
        WsClient client = connect();
        client.hello(member, ed25519, WsClient.helloTimestamp(clock));
        return client;
    }

    WsClient online(MeshSeeds.SeededMember member, int otherPort, long nowMillis) {
        WsClient client = connect(otherPort);
        client.hello(member, ed25519, nowMillis);
        return client;
    }

    /** Sends a crypto_box DM from {@code from} to {@code to}; returns the ack frame. */
    tools.jackson.databind.JsonNode sendDm(
            WsClient client,
            MeshSeeds.SeededMember from,
            MeshSeeds.SeededMember to,
            String id,
            String priority,
            String text) {
        PeerCrypto.Sealed sealed = crypto.seal(text, to.pubkey(), from.keys().secretKeyHex());
        client.send(id, to.pubkey(), priority, sealed.nonceBase64(), sealed.ciphertextBase64());
        return client.next();
    }

    String decrypt(tools.jackson.databind.JsonNode push, MeshSeeds.SeededMember from, MeshSeeds.SeededMember to) {
        return crypto.open(
                push.path("nonce").asString(),
                push.path("ciphertext").asString(),
                from.pubkey(),
                to.keys().secretKeyHex());
    }
}
