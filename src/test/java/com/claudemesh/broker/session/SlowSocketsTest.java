package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.RawWebSocket;
import com.claudemesh.broker.support.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 6 — sockets that stop half-way: silent after the handshake, a frame cut in the
 * middle, a fragmented message that never finishes, each also from a peer that vanished without a
 * FIN (no pong, no close reply). None of them holds up anyone else (a canary pair keeps exchanging
 * DMs, a newcomer says hello), and each is closed by a timeout of its own: before hello the hello
 * timeout (10 s, A.3), after hello the silence limit (75 s, A.1) — both on the broker's clock, which
 * this test moves — and the vanished sessions' presences are closed at once. The TCP connection of a
 * peer that never answers the close frame is then dropped by Tomcat (its WebSocket session close
 * timeout of 30 s, checked every 10 s: measured 39 s after the close frame); waiting for that here
 * would cost the suite 40 s of real time, so docs/operations.md records it instead.
 */
class SlowSocketsTest extends SessionTestBase {

    private static final Duration FRAME = Duration.ofSeconds(10);

    @Test
    void a1_a3_halfOpenAndUnfinishedSocketsBlockNoOne_andAreClosedByTheHelloTimeoutOrTheSilenceLimit()
            throws Exception {
        Canary canary = Canary.start(this);
        canary.exchange();
        String mesh = seeds.mesh();
        List<RawWebSocket> beforeHello = new ArrayList<>();
        List<RawWebSocket> afterHello = new ArrayList<>();
        List<MeshSeeds.SeededMember> vanished = new ArrayList<>();
        try {
            for (int kind = 0; kind < 4; kind++) {
                RawWebSocket raw = RawWebSocket.open(port);
                stopHalfWay(raw, kind);
                beforeHello.add(raw);
            }
            for (int kind = 0; kind < 4; kind++) {
                MeshSeeds.SeededMember member = seeds.member(mesh, "vanished-" + kind);
                RawWebSocket raw = RawWebSocket.open(port);
                raw.sendText(WsClient.JSON.writeValueAsString(
                        WsClient.helloFrame(member, ed25519, WsClient.helloTimestamp(clock))));
                assertThat(raw.nextText(FRAME)).contains("hello_ack");
                raw.stopAnswering();
                stopHalfWay(raw, kind);
                afterHello.add(raw);
                vanished.add(member);
            }

            // Nobody is held up meanwhile: the canary exchanges, a newcomer says hello.
            canary.exchange();
            MeshSeeds.SeededMember newcomer = seeds.member(mesh, "newcomer");
            try (WsClient fresh = online(newcomer)) {
                assertThat(fresh.isClosed()).isFalse();
            }

            clock.advance(Duration.ofSeconds(11));
            for (RawWebSocket raw : beforeHello) {
                RawWebSocket.Frame close = raw.awaitClose(FRAME);
                assertThat(close.closeCode()).isEqualTo(1008);
                assertThat(close.closeReason()).isEqualTo("hello_timeout");
            }
            canary.exchange();
            clock.advance(Duration.ofSeconds(40));
            canary.exchange();
            // At 51 s of silence they get the keepalive ping (A.1), not a close.
            for (RawWebSocket raw : afterHello) {
                raw.await(RawWebSocket.OP_PING, FRAME);
            }
            assertThat(openPresences(mesh)).as("within the silence limit").isEqualTo(afterHello.size());
            clock.advance(Duration.ofSeconds(40));
            for (RawWebSocket raw : afterHello) {
                RawWebSocket.Frame close = raw.awaitClose(FRAME);
                assertThat(close.closeCode()).isEqualTo(1008);
                assertThat(close.closeReason()).isEqualTo("idle_timeout");
            }
            canary.exchange();

            await().atMost(FRAME)
                    .untilAsserted(() -> assertThat(openPresences(mesh)).isZero());
            canary.exchange();
        } finally {
            beforeHello.forEach(RawWebSocket::close);
            afterHello.forEach(RawWebSocket::close);
        }
    }

    private int openPresences(String mesh) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM mesh.presence p JOIN mesh.member m ON m.id = p.member_id"
                        + " WHERE m.mesh_id = ? AND m.display_name LIKE 'vanished-%' AND p.disconnected_at IS NULL",
                Integer.class, mesh);
    }

    /**
     * Leaves the socket half-way, one way per {@code kind}: silent; a frame header and part of its
     * payload; an unfinished fragmented message; two bytes of a frame header.
     */
    private static void stopHalfWay(RawWebSocket raw, int kind) throws Exception {
        byte[] frame = RawWebSocket.frame(RawWebSocket.OP_TEXT, true, new byte[60_000]);
        switch (kind) {
            case 0 -> {
                // nothing at all
            }
            case 1 -> raw.send(Arrays.copyOf(frame, 100));
            case 2 -> raw.sendFrame(RawWebSocket.OP_TEXT, false, "{\"type\":".getBytes(StandardCharsets.UTF_8));
            default -> raw.send(Arrays.copyOf(frame, 2));
        }
    }
}
