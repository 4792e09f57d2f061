package com.claudemesh.broker.quickstart;

import com.claudemesh.broker.config.DatabaseUrl;
import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import com.goterl.lazysodium.interfaces.Box;
import com.goterl.lazysodium.interfaces.Sign;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quick start: two peers exchange an end-to-end encrypted DM through a running broker, the way the
 * claudemesh CLI does it (signed hello, crypto_box, send/ack/push), then time {@code rounds} DM round
 * trips (alice → bob → alice).
 *
 * <p>Dev only: it enrols two demo members by writing them into {@code DATABASE_URL} directly (a real
 * deployment enrols peers with signed invites and {@code POST /join}).
 *
 * <pre>
 * DATABASE_URL=postgres://… java -cp … com.claudemesh.broker.quickstart.QuickStartDm ws://127.0.0.1:7900/ws [rounds]
 * </pre>
 */
public final class QuickStartDm {

    private static final HexFormat HEX = HexFormat.of();
    private static final LazySodiumJava SODIUM = new LazySodiumJava(new SodiumJava());

    private QuickStartDm() {}

    record Peer(String meshId, String memberId, String name, byte[] publicKey, byte[] secretKey) {
        String pubkeyHex() {
            return HEX.formatHex(publicKey);
        }
    }

    public static void main(String[] args) throws Exception {
        URI broker = URI.create(args.length > 0 ? args[0] : "ws://127.0.0.1:7900/ws");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        String meshId = "quickstart-" + UUID.randomUUID().toString().substring(0, 8);
        Peer alice = newPeer(meshId, "alice");
        Peer bob = newPeer(meshId, "bob");
        enrol(meshId, alice, bob);

        Client a = Client.connect(broker, alice);
        Client b = Client.connect(broker, bob);
        System.out.println("alice: " + a.await("hello_ack"));
        System.out.println("bob:   " + b.await("hello_ack"));

        a.sendDm(bob, "c1", "hello bob, this is alice");
        System.out.println("alice: " + a.await("ack"));
        String push = b.await("push");
        System.out.println("bob received: " + push.replaceAll("\"ciphertext\":\"[^\"]*\"", "\"ciphertext\":\"…\""));
        System.out.println("bob decrypted: " + b.open(push, alice));

        if (rounds > 0) {
            long[] micros = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                long start = System.nanoTime();
                a.sendDm(bob, "r" + i, "ping " + i);
                b.open(b.await("push"), alice);
                b.sendDm(alice, "p" + i, "pong " + i);
                a.open(a.await("push"), bob);
                micros[i] = (System.nanoTime() - start) / 1_000;
            }
            Arrays.sort(micros);
            System.out.printf(
                    "%d DM round trips alice→bob→alice: median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    rounds,
                    micros[rounds / 2] / 1000.0,
                    micros[(int) (rounds * 0.9)] / 1000.0,
                    micros[(int) (rounds * 0.99)] / 1000.0,
                    micros[rounds - 1] / 1000.0);
        }
        a.close();
        b.close();
    }

    private static Peer newPeer(String meshId, String name) {
        byte[] publicKey = new byte[Sign.PUBLICKEYBYTES];
        byte[] secretKey = new byte[Sign.SECRETKEYBYTES];
        SODIUM.cryptoSignKeypair(publicKey, secretKey);
        return new Peer(
                meshId, "mem-" + name + "-" + UUID.randomUUID().toString().substring(0, 8), name, publicKey, secretKey);
    }

    private static void enrol(String meshId, Peer... peers) throws Exception {
        DatabaseUrl db = DatabaseUrl.parse(System.getenv("DATABASE_URL"));
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            try (PreparedStatement mesh =
                    c.prepareStatement("INSERT INTO mesh.mesh (id, name, slug) VALUES (?, ?, ?)")) {
                mesh.setString(1, meshId);
                mesh.setString(2, "Quick start");
                mesh.setString(3, meshId);
                mesh.executeUpdate();
            }
            for (Peer peer : peers) {
                try (PreparedStatement member = c.prepareStatement(
                        "INSERT INTO mesh.member (id, mesh_id, peer_pubkey, display_name) VALUES (?, ?, ?, ?)")) {
                    member.setString(1, peer.memberId());
                    member.setString(2, meshId);
                    member.setString(3, peer.pubkeyHex());
                    member.setString(4, peer.name());
                    member.executeUpdate();
                }
            }
        }
    }

    /** One peer's socket: a signed hello, then DMs sealed with crypto_box. */
    static final class Client implements WebSocket.Listener {

        private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\"([^\"]*)\"");

        private final Peer me;
        private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        private Client(Peer me) {
            this.me = me;
        }

        static Client connect(URI broker, Peer me) {
            Client client = new Client(me);
            client.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(broker, client)
                    .join();
            long timestamp = System.currentTimeMillis();
            byte[] canonical = (me.meshId() + "|" + me.memberId() + "|" + me.pubkeyHex() + "|" + timestamp)
                    .getBytes(StandardCharsets.UTF_8);
            byte[] signature = new byte[Sign.BYTES];
            SODIUM.cryptoSignDetached(signature, canonical, canonical.length, me.secretKey());
            client.socket
                    .sendText(
                            "{\"type\":\"hello\",\"meshId\":\"" + me.meshId() + "\",\"memberId\":\"" + me.memberId()
                                    + "\",\"pubkey\":\"" + me.pubkeyHex() + "\",\"sessionId\":\"quickstart\",\"pid\":"
                                    + ProcessHandle.current().pid() + ",\"cwd\":\"/tmp\",\"timestamp\":" + timestamp
                                    + ",\"signature\":\"" + HEX.formatHex(signature) + "\"}",
                            true)
                    .join();
            return client;
        }

        void sendDm(Peer to, String id, String text) {
            byte[] message = text.getBytes(StandardCharsets.UTF_8);
            byte[] nonce = SODIUM.randomBytesBuf(Box.NONCEBYTES);
            byte[] cipher = new byte[message.length + Box.MACBYTES];
            SODIUM.cryptoBoxEasy(
                    cipher, message, message.length, nonce, curvePublic(to.publicKey()), curveSecret(me.secretKey()));
            socket.sendText(
                            "{\"type\":\"send\",\"id\":\"" + id + "\",\"targetSpec\":\"" + to.pubkeyHex()
                                    + "\",\"priority\":\"now\",\"nonce\":\""
                                    + Base64.getEncoder().encodeToString(nonce) + "\",\"ciphertext\":\""
                                    + Base64.getEncoder().encodeToString(cipher) + "\"}",
                            true)
                    .join();
        }

        String open(String push, Peer from) {
            byte[] nonce = Base64.getDecoder().decode(field(push, "nonce"));
            byte[] cipher = Base64.getDecoder().decode(field(push, "ciphertext"));
            byte[] message = new byte[cipher.length - Box.MACBYTES];
            if (!SODIUM.cryptoBoxOpenEasy(
                    message,
                    cipher,
                    cipher.length,
                    nonce,
                    curvePublic(from.publicKey()),
                    curveSecret(me.secretKey()))) {
                throw new IllegalStateException("cannot decrypt");
            }
            return new String(message, StandardCharsets.UTF_8);
        }

        String await(String type) throws InterruptedException {
            while (true) {
                String frame = frames.poll(10, TimeUnit.SECONDS);
                if (frame == null) {
                    throw new IllegalStateException(me.name() + ": no " + type + " within 10 s");
                }
                // Acks of earlier round trips may arrive after the push they caused; they are skipped.
                if (type.equals(field(frame, "type"))) {
                    return frame;
                }
                if ("error".equals(field(frame, "type"))) {
                    throw new IllegalStateException(me.name() + ": " + frame);
                }
            }
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }

        private static String field(String json, String name) {
            Matcher m = FIELD.matcher(json);
            while (m.find()) {
                if (m.group(1).equals(name)) {
                    return m.group(2);
                }
            }
            return null;
        }

        private static byte[] curvePublic(byte[] edPublic) {
            byte[] curve = new byte[Box.PUBLICKEYBYTES];
            SODIUM.convertPublicKeyEd25519ToCurve25519(curve, edPublic);
            return curve;
        }

        private static byte[] curveSecret(byte[] edSecret) {
            byte[] curve = new byte[Box.SECRETKEYBYTES];
            SODIUM.convertSecretKeyEd25519ToCurve25519(curve, edSecret);
            return curve;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
