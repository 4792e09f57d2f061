package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.PeerCrypto;
import com.claudemesh.broker.support.WsClient;
import tools.jackson.databind.JsonNode;

/**
 * Two well-behaved peers of their own mesh that exchange end-to-end encrypted DMs while a test
 * attacks the broker: each {@link #exchange} proves that other sessions still get acks and pushes,
 * and {@link #messages} says how many envelopes (and deliveries) their traffic stored.
 */
final class Canary {

    final String mesh;
    private final MeshSeeds.SeededMember alice;
    private final MeshSeeds.SeededMember bob;
    private final WsClient alices;
    private final WsClient bobs;
    private final PeerCrypto crypto;
    private int messages;

    private Canary(
            String mesh,
            MeshSeeds.SeededMember alice,
            MeshSeeds.SeededMember bob,
            WsClient alices,
            WsClient bobs,
            PeerCrypto crypto) {
        this.mesh = mesh;
        this.alice = alice;
        this.bob = bob;
        this.alices = alices;
        this.bobs = bobs;
        this.crypto = crypto;
    }

    /** Seeds the canary mesh and brings both peers online through {@code base}. */
    static Canary start(SessionTestBase base) {
        String mesh = base.seeds.mesh();
        MeshSeeds.SeededMember alice = base.seeds.member(mesh, "canary-alice");
        MeshSeeds.SeededMember bob = base.seeds.member(mesh, "canary-bob");
        return new Canary(mesh, alice, bob, base.online(alice), base.online(bob), base.crypto);
    }

    /** One DM each way, each acked, pushed and decrypted by its recipient. */
    void exchange() {
        dm(alices, alice, bobs, bob);
        dm(bobs, bob, alices, alice);
    }

    int messages() {
        return messages;
    }

    private void dm(WsClient from, MeshSeeds.SeededMember sender, WsClient to, MeshSeeds.SeededMember recipient) {
        String text = "canary " + messages;
        PeerCrypto.Sealed sealed =
                crypto.seal(text, recipient.pubkey(), sender.keys().secretKeyHex());
        from.send("canary-" + messages, recipient.pubkey(), "now", sealed.nonceBase64(), sealed.ciphertextBase64());
        JsonNode ack = from.next();
        assertThat(ack.path("type").asString()).as("canary ack: %s", ack).isEqualTo("ack");
        JsonNode push = to.next();
        assertThat(push.path("type").asString()).as("canary push: %s", push).isEqualTo("push");
        assertThat(crypto.open(
                        push.path("nonce").asString(),
                        push.path("ciphertext").asString(),
                        sender.pubkey(),
                        recipient.keys().secretKeyHex()))
                .isEqualTo(text);
        messages++;
    }
}
