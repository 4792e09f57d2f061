package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.support.BrokerProcess;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.MeshSeeds.SeededMember;
import com.claudemesh.broker.support.PeerCrypto;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import com.claudemesh.broker.support.WsClient;
import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12, item 5 — PROTOCOL A.6 and the instance identity of docs/status-model.md across a broker
 * crash. A broker process is killed with SIGKILL in the middle of a burst of DMs (sends awaiting
 * their ack, pushes written and not yet confirmed); a new broker process starts on the same database
 * and port, and every peer connects again with a new hello. Then:
 *
 * <ul>
 *   <li>every acked message reaches its recipient (decrypted, as a peer would);
 *   <li>a message reaches a recipient twice only if its first push reached the killed broker's
 *       session and its confirmation was not committed when the process died — same {@code
 *       messageId}, never a delivery confirmed before the kill, never twice after the restart;
 *   <li>a send that got no ack may or may not have been stored: the sender cannot know, so such a
 *       message arriving (once, to the right recipient) is no error;
 *   <li>the new process closes the presences of the dead one as it starts, and takes back every
 *       peer with {@code MAX_CONNECTIONS_PER_MESH} at exactly the number of peers.
 * </ul>
 *
 * The recipients: one online and reading, one online that stops reading after a few pushes (so some
 * pushes are surely written and unconfirmed when the broker dies: the peer answers no ping after its
 * last read push), one offline until after the restart.
 */
class BrokerCrashTest {

    private static final Logger log = LoggerFactory.getLogger(BrokerCrashTest.class);

    private static final int SENDERS = 5;
    private static final int DMS_PER_SENDER = 800;
    private static final int TOTAL_DMS = SENDERS * DMS_PER_SENDER;
    /** Sends a sender has on the wire without their ack, like a client that does not wait for each. */
    private static final int WINDOW = 32;
    /** The kill comes after this many acks, a quarter into the burst. */
    private static final int KILL_AFTER_ACKS = TOTAL_DMS / 4;
    /** The stalled recipient reads this many pushes and then nothing more (its pings go unanswered). */
    private static final int STALLED_READS = 60;

    private static final int PEERS = SENDERS + 3;
    private static final String[] SETTINGS = {
        // The burst is ~4 000 sends in a second or two; the default limits would refuse most of it.
        "broker.send-rate-limit-per-min=10000000",
        "broker.send-rate-limit-burst=100000",
        // Capacity at exactly the number of peers: anything of the dead broker still counted against
        // the mesh would refuse a reconnecting peer.
        "broker.max-connections-per-mesh=" + PEERS,
        // The stalled recipient must still be open when the broker dies, not closed as a slow consumer.
        "broker.slow-consumer-timeout=120"
    };
    private static final Path LOGS = Path.of("target", "broker-crash-test");
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** After everything is confirmed, a push arriving within this much quiet would be a repeat. */
    private static final Duration QUIET = Duration.ofMillis(300);

    private final LazySodiumJava sodium = new LazySodiumJava(new SodiumJava());
    private final Ed25519 ed25519 = new Ed25519(sodium);
    private final PeerCrypto crypto = new PeerCrypto(sodium);
    private final List<WsClient> clients = new ArrayList<>();
    /** Acks of every sender, for the moment of the kill. */
    private final AtomicInteger ackCount = new AtomicInteger();
    /** Every DM of the burst by its send id, which is also its plaintext. */
    private final Map<String, Dm> dms = new LinkedHashMap<>();

    private TestDatabase.Endpoint db;
    private BrokerProcess first;
    private BrokerProcess restarted;
    private JdbcTemplate jdbc;

    private record Dm(String id, SeededMember from, SeededMember to, PeerCrypto.Sealed sealed) {}

    @AfterEach
    void cleanUp() throws Exception {
        clients.forEach(WsClient::abort);
        for (BrokerProcess broker : new BrokerProcess[] {restarted, first}) {
            if (broker != null) {
                broker.close();
            }
        }
        if (db != null) {
            StandaloneBroker.drop(db);
        }
    }

    @Test
    void a6_killedMidBurstAndRestarted_losesNoAckedMessage_repeatsOnlyPushesUnconfirmedAtTheKill_leavesNoGhost()
            throws Exception {
        db = TestDatabase.createDatabase("crash");
        int port = BrokerProcess.freePort();
        first = BrokerProcess.start(db, port, LOGS.resolve("killed-broker.log"), SETTINGS);
        first.awaitHealthy(START);
        jdbc = new JdbcTemplate(new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password()));
        MeshSeeds seeds = new MeshSeeds(jdbc, ed25519);
        String mesh = seeds.mesh();
        List<SeededMember> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(seeds.member(mesh, "sender" + i));
        }
        SeededMember reader = seeds.member(mesh, "reader");
        SeededMember stalled = seeds.member(mesh, "stalled");
        SeededMember offline = seeds.member(mesh, "offline");
        List<SeededMember> recipients = List.of(reader, stalled, offline);
        for (SeededMember sender : senders) {
            for (int i = 0; i < DMS_PER_SENDER; i++) {
                SeededMember to = recipients.get(i % recipients.size());
                String id = sender.displayName() + "/" + i;
                dms.put(
                        id,
                        new Dm(
                                id,
                                sender,
                                to,
                                crypto.seal(id, to.pubkey(), sender.keys().secretKeyHex())));
            }
        }

        // ---- the burst, and the kill in the middle of it ----
        WsClient readerBefore = online(WsClient.connect(port), reader);
        WsClient stalledBefore = online(WsClient.connectReadingOnly(port, 1 + STALLED_READS), stalled);
        List<Sender> burst = new ArrayList<>();
        for (SeededMember sender : senders) {
            burst.add(new Sender(sender, online(WsClient.connect(port), sender)));
        }
        String deadInstance = jdbc.queryForObject(
                "SELECT DISTINCT broker_instance_id FROM mesh.presence WHERE disconnected_at IS NULL", String.class);
        burst.forEach(Sender::start);
        List<JsonNode> stalledSession1 = stalledBefore.collect("push", STALLED_READS, BOUND);
        await().atMost(BOUND).pollInterval(Duration.ofMillis(1)).until(() -> ackCount.get() >= KILL_AFTER_ACKS);

        assertThat(first.kill()).as("exit status: death by SIGKILL (128 + 9)").isEqualTo(137);

        readerBefore.awaitClose();
        List<JsonNode> readerSession1 = pushes(readerBefore.received());
        Map<String, String> acked = new HashMap<>();
        Set<String> unanswered = new HashSet<>();
        for (Sender sender : burst) {
            sender.awaitEnd();
            assertThat(sender.errors).as("refused sends").isEmpty();
            acked.putAll(sender.acks);
            sender.attempted.stream().filter(id -> !sender.acks.containsKey(id)).forEach(unanswered::add);
        }
        assertThat(acked.size()).as("acks when the broker died: mid-burst").isLessThan(TOTAL_DMS);
        assertThat(unanswered)
                .as("sends awaiting their ack when the broker died")
                .isNotEmpty();
        Map<String, Set<String>> confirmedAtKill = new HashMap<>();
        for (SeededMember recipient : recipients) {
            confirmedAtKill.put(recipient.id(), confirmed(recipient));
        }
        // What the dead process left in the database: its presences, still open.
        assertThat(livePresencesOf(deadInstance)).isEqualTo(PEERS - 1);
        // A confirmation is written only for a push the peer provably read.
        assertThat(minus(confirmedAtKill.get(reader.id()), messageIds(readerSession1)))
                .as("reader: confirmed but never read")
                .isEmpty();
        assertThat(minus(confirmedAtKill.get(stalled.id()), messageIds(stalledSession1)))
                .as("stalled: confirmed but never read")
                .isEmpty();
        assertThat(confirmedAtKill.get(offline.id())).as("offline: confirmed").isEmpty();
        // No ping after the stalled peer's last read push was answered: that push must come again.
        String stalledLast = stalledSession1.getLast().path("messageId").asString();
        assertThat(confirmedAtKill.get(stalled.id())).doesNotContain(stalledLast);

        // ---- a new broker process on the same database and port ----
        restarted = BrokerProcess.start(db, port, LOGS.resolve("restarted-broker.log"), SETTINGS);
        restarted.awaitHealthy(START);
        await().atMost(BOUND)
                .untilAsserted(() -> assertThat(livePresencesOf(deadInstance))
                        .as("presences of the killed broker still open")
                        .isZero());
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.broker_instance WHERE id = ?", Integer.class, deadInstance))
                .as("the killed broker's instance row")
                .isZero();

        WsClient readerAfter = online(WsClient.connect(restarted.port()), reader);
        WsClient stalledAfter = online(WsClient.connect(restarted.port()), stalled);
        WsClient offlineAfter = online(WsClient.connect(restarted.port()), offline);
        for (SeededMember sender : senders) {
            online(WsClient.connect(restarted.port()), sender);
        }
        assertThat(jdbc.queryForList(
                        "SELECT p.broker_instance_id FROM mesh.presence p JOIN mesh.member m ON m.id = p.member_id"
                                + " WHERE m.mesh_id = ? AND p.disconnected_at IS NULL",
                        String.class,
                        mesh))
                .as("live presences after the reconnect: one per peer, all of the new broker")
                .hasSize(PEERS)
                .doesNotContain(deadInstance);
        await().atMost(BOUND)
                .untilAsserted(() -> assertThat(pendingDeliveries(mesh))
                        .as("deliveries not yet confirmed after the restart")
                        .isZero());

        Map<String, String> messageIdOfDm = new HashMap<>(acked);
        Set<String> deliveredUnacked = new HashSet<>();
        Map<String, Integer> repeats = new LinkedHashMap<>();
        for (Recipient recipient : List.of(
                new Recipient(reader, readerSession1, readerAfter),
                new Recipient(stalled, stalledSession1, stalledAfter),
                new Recipient(offline, List.of(), offlineAfter))) {
            String name = recipient.member().displayName();
            List<JsonNode> session2 = pushes(untilQuiet(recipient.after()));
            for (JsonNode push : concat(recipient.before(), session2)) {
                Dm dm = open(push, recipient.member());
                String messageId = push.path("messageId").asString();
                String known = messageIdOfDm.putIfAbsent(dm.id(), messageId);
                if (known != null) {
                    assertThat(messageId)
                            .as("one messageId per send (its ack's, or its first push's): %s", dm.id())
                            .isEqualTo(known);
                }
                if (!acked.containsKey(dm.id())) {
                    // Stored, but its ack died with the broker: the sender cannot know, so this is no error.
                    assertThat(unanswered)
                            .as("a message delivered without an ack was sent while the broker died")
                            .contains(dm.id());
                    deliveredUnacked.add(dm.id());
                }
            }
            Set<String> before = messageIds(recipient.before());
            Set<String> after = messageIds(session2);
            assertThat(before)
                    .as("%s: no repeat while the killed broker ran", name)
                    .hasSameSizeAs(recipient.before());
            assertThat(after).as("%s: no repeat after the restart", name).hasSameSizeAs(session2);
            Set<String> ackedToHim = acked.entrySet().stream()
                    .filter(e -> dms.get(e.getKey()).to().equals(recipient.member()))
                    .map(Map.Entry::getValue)
                    .collect(Collectors.toSet());
            assertThat(minus(minus(ackedToHim, before), after))
                    .as("%s: acked messages never received", name)
                    .isEmpty();
            // A repeat is a push of the killed broker's session whose confirmation was not committed.
            assertThat(both(after, confirmedAtKill.get(recipient.member().id())))
                    .as("%s: pushed again although confirmed before the kill", name)
                    .isEmpty();
            Set<String> repeated = both(after, before);
            repeats.put(name, repeated.size());
            if (recipient.member().equals(stalled)) {
                assertThat(repeated).as("repeats to the stalled peer").contains(stalledLast);
            }
        }
        log.info(
                "Killed after {} of {} sends were acked ({} awaiting their ack, {} of them delivered anyway);"
                        + " pushes repeated after the restart: {}",
                acked.size(),
                TOTAL_DMS,
                unanswered.size(),
                deliveredUnacked.size(),
                repeats);
    }

    private record Recipient(SeededMember member, List<JsonNode> before, WsClient after) {}

    /**
     * A sender pipelining its DMs: at most {@link #WINDOW} await their ack. It stops when its socket
     * ends (the broker died); what it sent is in {@link #attempted}, what was acked in {@link #acks}.
     */
    private final class Sender {
        final SeededMember member;
        final WsClient socket;
        final Semaphore window = new Semaphore(WINDOW);
        final Set<String> attempted = ConcurrentHashMap.newKeySet();
        /** Send id → messageId. */
        final Map<String, String> acks = new ConcurrentHashMap<>();
        /** Refused sends; with the raised limits the burst has none. */
        final List<JsonNode> errors = new CopyOnWriteArrayList<>();

        private final List<Thread> threads = new ArrayList<>();

        Sender(SeededMember member, WsClient socket) {
            this.member = member;
            this.socket = socket;
        }

        void start() {
            threads.add(Thread.ofVirtual().start(this::readAnswers));
            threads.add(Thread.ofVirtual().start(this::sendAll));
        }

        void awaitEnd() throws InterruptedException {
            for (Thread thread : threads) {
                assertThat(thread.join(BOUND)).as("sender thread ended").isTrue();
            }
        }

        private void sendAll() {
            try {
                for (int i = 0; i < DMS_PER_SENDER; i++) {
                    while (!window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                        if (socket.isClosed()) {
                            return;
                        }
                    }
                    Dm dm = dms.get(member.displayName() + "/" + i);
                    attempted.add(dm.id());
                    socket.send(
                            dm.id(),
                            dm.to().pubkey(),
                            "next",
                            dm.sealed().nonceBase64(),
                            dm.sealed().ciphertextBase64());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException brokerGone) {
                // The socket failed under the send: the broker died; this send's fate is unknown.
            }
        }

        private void readAnswers() {
            try {
                while (true) {
                    JsonNode frame = socket.poll(Duration.ofMillis(50));
                    if (frame != null) {
                        answer(frame);
                    } else if (socket.isClosed()) {
                        // Nothing arrives after the close; what arrived before it is still queued.
                        socket.received().forEach(this::answer);
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void answer(JsonNode frame) {
            switch (frame.path("type").asString()) {
                case "ack" -> {
                    acks.put(
                            frame.path("id").asString(), frame.path("messageId").asString());
                    ackCount.incrementAndGet();
                    window.release();
                }
                case "error" -> {
                    errors.add(frame);
                    window.release();
                }
                default -> throw new AssertionError("unexpected frame to a sender: " + frame);
            }
        }
    }

    private WsClient online(WsClient client, SeededMember member) {
        clients.add(client);
        client.hello(member, ed25519, System.currentTimeMillis());
        return client;
    }

    /** Decrypts a push as its recipient would and returns the DM it is. */
    private Dm open(JsonNode push, SeededMember recipient) {
        String text = crypto.open(
                push.path("nonce").asString(),
                push.path("ciphertext").asString(),
                push.path("senderPubkey").asString(),
                recipient.keys().secretKeyHex());
        Dm dm = dms.get(text);
        assertThat(dm).as("a DM of the burst: %s", text).isNotNull();
        assertThat(dm.to()).as("recipient of %s", text).isEqualTo(recipient);
        assertThat(push.path("senderPubkey").asString()).isEqualTo(dm.from().pubkey());
        return dm;
    }

    /** Everything the client receives until nothing more comes for {@link #QUIET}. */
    private static List<JsonNode> untilQuiet(WsClient client) throws InterruptedException {
        List<JsonNode> frames = new ArrayList<>();
        JsonNode frame;
        while ((frame = client.poll(QUIET)) != null) {
            frames.add(frame);
        }
        return frames;
    }

    private static List<JsonNode> pushes(List<JsonNode> frames) {
        return frames.stream()
                .filter(frame -> "push".equals(frame.path("type").asString()))
                .toList();
    }

    private static Set<String> messageIds(List<JsonNode> pushes) {
        Set<String> ids = new HashSet<>();
        pushes.forEach(push -> ids.add(push.path("messageId").asString()));
        return ids;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> rest = new HashSet<>(a);
        rest.removeAll(b);
        return rest;
    }

    private static Set<String> both(Set<String> a, Set<String> b) {
        Set<String> common = new HashSet<>(a);
        common.retainAll(b);
        return common;
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        List<JsonNode> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private Set<String> confirmed(SeededMember member) {
        return new HashSet<>(jdbc.queryForList(
                "SELECT message_id FROM mesh.delivery WHERE member_id = ? AND delivered_at IS NOT NULL",
                String.class,
                member.id()));
    }

    private int livePresencesOf(String instance) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM mesh.presence WHERE broker_instance_id = ? AND disconnected_at IS NULL",
                Integer.class,
                instance);
    }

    private int pendingDeliveries(String mesh) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM mesh.delivery d JOIN mesh.member m ON m.id = d.member_id"
                        + " WHERE m.mesh_id = ? AND d.delivered_at IS NULL AND d.expired_at IS NULL",
                Integer.class,
                mesh);
    }
}
