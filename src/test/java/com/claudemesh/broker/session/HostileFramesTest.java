package com.claudemesh.broker.session;

import static com.claudemesh.broker.support.HostileInput.base64;
import static com.claudemesh.broker.support.HostileInput.deepNesting;
import static com.claudemesh.broker.support.HostileInput.edgeString;
import static com.claudemesh.broker.support.HostileInput.hex;
import static com.claudemesh.broker.support.HostileInput.hugeNumber;
import static com.claudemesh.broker.support.HostileInput.invalidJson;
import static com.claudemesh.broker.support.HostileInput.jsonString;
import static com.claudemesh.broker.support.HostileInput.letters;
import static com.claudemesh.broker.support.HostileInput.notAString;
import static com.claudemesh.broker.support.HostileInput.notAnObjectWithAStringType;
import static com.claudemesh.broker.support.HostileInput.pick;
import static com.claudemesh.broker.support.HostileInput.wellFormed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.support.HostileInput;
import com.claudemesh.broker.support.MeshSeeds;
import com.claudemesh.broker.support.RawWebSocket;
import com.claudemesh.broker.support.StoredRows;
import com.claudemesh.broker.support.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12, item 6 — hostile frames on {@code /ws}, through real sockets, as properties over many
 * seeded cases (see {@link HostileInput} for why not jqwik): the broker answers each frame as PROTOCOL
 * A.1/A.3/A.4/B says, the attacking socket stays open where the contract says so, a canary pair of
 * peers keeps exchanging DMs throughout, and nothing is stored but the canary's traffic and the
 * attacker's own session rows.
 */
class HostileFramesTest extends SessionTestBase {

    private static final Duration REPLY = Duration.ofSeconds(10);
    private static final Duration STORED = Duration.ofSeconds(15);
    /** Cases per input class on one open session; the whole class stays within a few seconds. */
    private static final int CASES = 250;

    private static final Set<String> MALFORMED = Set.of("malformed");
    private static final List<String> HELLO_FIELDS =
            List.of("meshId", "memberId", "pubkey", "sessionId", "pid", "cwd", "timestamp", "signature");

    /** One generated frame and the answers the contract allows for it. */
    record Case(String frame, Set<String> codes, String id) {

        /** {@code id}: the id the reply must echo, or null when the frame may not have been read as a send. */
        static Case of(String frame, Set<String> codes, String id) {
            return new Case(frame, codes, id);
        }

        @Override
        public String toString() {
            return "expected " + codes + (id == null ? "" : " id " + id) + " for "
                    + (frame.length() > 300 ? frame.substring(0, 300) + "… (" + frame.length() + " chars)" : frame);
        }
    }

    enum OpenSessionInput {
        INVALID_JSON,
        NOT_AN_OBJECT_WITH_A_STRING_TYPE,
        HUGE_NUMBERS,
        DEEP_NESTING,
        UNKNOWN_TYPES,
        SEND_FIELDS_OF_WRONG_TYPES,
        SET_STATUS_FIELDS_OF_WRONG_TYPES,
        SECOND_HELLO
    }

    private Canary canary;
    private String mesh;
    private MeshSeeds.SeededMember mallory;

    @BeforeEach
    void canaryAndAttacker() {
        // Every frame here is answered before the next is sent; the send limit is not what is tested.
        canary = Canary.start(this);
        canary.exchange();
        mesh = seeds.mesh();
        mallory = seeds.member(mesh, "mallory");
    }

    @ParameterizedTest
    @EnumSource(OpenSessionInput.class)
    void a4_b_everyHostileFrameOfAnOpenSessionIsAnswered_theSocketStays_andNothingIsStored(OpenSessionInput input)
            throws Exception {
        WsClient attacker = online(mallory);
        StoredRows before = StoredRows.take(jdbc);
        int canaryBefore = canary.messages();
        Random random = HostileInput.random("open-session-" + input);
        Function<Random, Case> generator = generator(input);

        for (int i = 0; i < CASES; i++) {
            Case sent = generator.apply(random);
            attacker.sendText(sent.frame());
            assertAnswered(
                    attacker.next(REPLY),
                    sent,
                    input + " case " + i + " of seed " + HostileInput.seed("open-session-" + input));
            if (i % 30 == 0) {
                canary.exchange();
            }
        }

        assertThat(attacker.isClosed()).as("the attacker's socket stays open").isFalse();
        attacker.send("still-here", hex(random, 32), "now", "bm9uY2U=", "Y2lwaGVy");
        assertThat(attacker.next(REPLY).path("code").asString()).isEqualTo("unknown_target");
        canary.exchange();
        int canaryMessages = canary.messages() - canaryBefore;
        await().atMost(STORED).untilAsserted(() -> {
            StoredRows after = StoredRows.take(jdbc);
            assertThat(before.addedIn(after)).isEqualTo(canaryRows(canaryMessages));
            assertThat(outsideCanary(before.changedIn(after))).isEmpty();
        });
        assertThat(jdbc.queryForObject(
                        "SELECT status::text || '/' || status_source::text FROM mesh.presence WHERE member_id = ?",
                        String.class,
                        mallory.id()))
                .isEqualTo("idle/jsonl");
    }

    @Test
    void a3_beforeHelloEveryOtherFrameIsAnsweredNoHello_theSocketStays_andAHelloStillWorks() throws Exception {
        WsClient attacker = connect();
        StoredRows before = StoredRows.take(jdbc);
        Random random = HostileInput.random("before-hello");
        List<OpenSessionInput> inputs = List.of(OpenSessionInput.values()).stream()
                .filter(input -> input != OpenSessionInput.SECOND_HELLO)
                .toList();

        for (int i = 0; i < CASES * 2; i++) {
            OpenSessionInput input = pick(random, inputs);
            Case sent = generator(input).apply(random);
            if (sent.frame().contains("\"type\":\"hello\"")) {
                continue;
            }
            attacker.sendText(sent.frame());
            JsonNode reply = attacker.next(REPLY);
            assertThat(reply.path("code").asString())
                    .as("case %d (%s) of seed %d: %s → %s", i, input, HostileInput.seed("before-hello"), sent, reply)
                    .isEqualTo("no_hello");
            if (i % 60 == 0) {
                canary.exchange();
            }
        }

        assertThat(attacker.isClosed()).isFalse();
        assertThat(attacker.hello(mallory, ed25519, WsClient.helloTimestamp(clock))
                        .path("type")
                        .asString())
                .isEqualTo("hello_ack");
        canary.exchange();
        await().atMost(STORED).untilAsserted(() -> {
            Map<String, Integer> added = before.addedIn(StoredRows.take(jdbc));
            assertThat(added)
                    .containsEntry("presence " + mesh, 1)
                    .containsEntry("audit_log " + mesh + " session_opened", 1);
            assertThat(added.keySet()).allMatch(row -> row.contains(canary.mesh) || row.contains(mesh));
        });
    }

    @Test
    void a3_aHelloWithAFieldOfTheWrongTypeIsMalformed_closed1008_andOpensNothing() throws Exception {
        StoredRows before = StoredRows.take(jdbc);
        int canaryBefore = canary.messages();
        Random random = HostileInput.random("hello-fields");

        for (int i = 0; i < 100; i++) {
            String frame = helloWithWrongFields(random);
            WsClient attacker = connect();
            attacker.sendText(frame);
            JsonNode reply = attacker.next(REPLY);
            String why = "case " + i + " of seed " + HostileInput.seed("hello-fields") + ": " + frame;
            assertThat(reply.path("code").asString()).as(why).isEqualTo("malformed");
            assertThat(attacker.awaitClose()).as(why).isEqualTo(new WsClient.Closed(1008, "malformed"));
            if (i % 20 == 0) {
                canary.exchange();
            }
        }

        canary.exchange();
        int canaryMessages = canary.messages() - canaryBefore;
        await().atMost(STORED)
                .untilAsserted(
                        () -> assertThat(before.addedIn(StoredRows.take(jdbc))).isEqualTo(canaryRows(canaryMessages)));
    }

    @Test
    void a1_invalidUtf8ClosesWith1007_beforeAndAfterHello_andOnlyTheAttackersOwnSessionsAreRecorded() throws Exception {
        expectClosures("invalid-utf8", 50, (raw, random) -> {
            String frame = random.nextBoolean()
                    ? "{\"type\":\"send\",\"id\":\"" + letters(random, 6) + "\",\"targetSpec\":\"" + hex(random, 32)
                            + "\",\"priority\":\"now\",\"nonce\":\"bm9uY2U=\",\"ciphertext\":\"" + letters(random, 20)
                            + "\"}"
                    : "{\"type\":\"" + letters(random, 8) + "\",\"text\":\"" + letters(random, random.nextInt(3_000))
                            + "\"}";
            sendFragmented(raw, RawWebSocket.OP_TEXT, HostileInput.invalidUtf8(random, frame), random);
            return Set.of(1007);
        });
    }

    @Test
    void a1_binaryFramesCloseWith1003_whole_orInFragments() throws Exception {
        expectClosures("binary", 24, (raw, random) -> {
            byte[] payload = new byte[random.nextInt(5_000)];
            random.nextBytes(payload);
            sendFragmented(raw, RawWebSocket.OP_BINARY, payload, random);
            return Set.of(1003);
        });
    }

    @Test
    void a1_framesThatBreakRfc6455CloseWith1002() throws Exception {
        byte[] text = "{\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        List<byte[]> violations = List.of(
                RawWebSocket.frame(RawWebSocket.OP_TEXT, true, text, false),
                withFirstByte(RawWebSocket.frame(RawWebSocket.OP_TEXT, true, text), 0x80 | 0x40 | RawWebSocket.OP_TEXT),
                withFirstByte(RawWebSocket.frame(RawWebSocket.OP_TEXT, true, text), 0x80 | 0x10 | RawWebSocket.OP_TEXT),
                RawWebSocket.frame(0x3, true, text),
                RawWebSocket.frame(0x7, true, text),
                RawWebSocket.frame(0xB, true, new byte[0]),
                RawWebSocket.frame(0xF, true, text),
                RawWebSocket.frame(RawWebSocket.OP_CONTINUATION, true, text),
                RawWebSocket.frame(RawWebSocket.OP_PING, true, new byte[126]),
                RawWebSocket.frame(RawWebSocket.OP_PING, false, new byte[4]),
                concat(
                        RawWebSocket.frame(RawWebSocket.OP_TEXT, false, "{\"type\":".getBytes(StandardCharsets.UTF_8)),
                        RawWebSocket.frame(RawWebSocket.OP_TEXT, true, text)),
                RawWebSocket.frame(RawWebSocket.OP_CLOSE, true, new byte[] {0x03}),
                RawWebSocket.frame(RawWebSocket.OP_CLOSE, true, new byte[] {0x03, (byte) 0xE7}),
                RawWebSocket.frame(RawWebSocket.OP_CLOSE, true, new byte[] {0x03, (byte) 0xEE}),
                RawWebSocket.frame(RawWebSocket.OP_CLOSE, true, new byte[] {0x03, (byte) 0xE8, (byte) 0xFF}));
        int[] next = {0};
        expectClosures("rfc6455", violations.size() * 2, (raw, random) -> {
            raw.send(violations.get(next[0]++ % violations.size()));
            // Tomcat reads a close reason that is not UTF-8 as a protocol error or as invalid data.
            return Set.of(1002, 1007);
        });
    }

    @Test
    void a1_aMessageOverMaxMessageBytesCloses1009_aSendOverItInBytesIsTooLarge_andOneJustUnderIsAnswered()
            throws Exception {
        int limit = properties.maxMessageBytes();
        Random random = HostileInput.random("size");
        StoredRows before = StoredRows.take(jdbc);
        int canaryBefore = canary.messages();
        int sessions = 0;
        String[] widths = {"a", "é", "日", "\ud83d\udca9"};

        for (int i = 0; i < 32; i++) {
            boolean send = random.nextBoolean();
            int bytes = limit + (i < 4 ? i % 2 : random.nextInt(17) - 8);
            String wide = widths[random.nextInt(widths.length)];
            String frame = frameOfExactly(bytes, wide, send, random);
            int chars = frame.length();
            String why = "case " + i + " of seed " + HostileInput.seed("size") + ": " + (send ? "send" : "other")
                    + " of " + bytes + " bytes, " + chars + " chars";
            try (RawWebSocket raw = RawWebSocket.open(port)) {
                boolean authenticated = i % 4 != 3;
                if (authenticated) {
                    helloRaw(raw);
                    sessions++;
                }
                sendFragmented(raw, RawWebSocket.OP_TEXT, frame.getBytes(StandardCharsets.UTF_8), random);
                if (bytes <= limit) {
                    String reply = raw.nextText(REPLY);
                    String code = WsClient.JSON.readTree(reply).path("code").asString();
                    assertThat(code)
                            .as(why)
                            .isEqualTo(!authenticated ? "no_hello" : send ? "unknown_target" : "unknown_type");
                } else if (chars <= limit && send && authenticated) {
                    JsonNode reply = WsClient.JSON.readTree(raw.nextText(REPLY));
                    assertThat(reply.path("code").asString()).as(why).isEqualTo("too_large");
                    assertThat(reply.path("id").asString()).as(why).isEqualTo("big");
                } else {
                    assertThat(raw.awaitClose(REPLY).closeCode()).as(why).isEqualTo(1009);
                    continue;
                }
                // Still open: the next frame is answered too.
                raw.sendText("{\"type\":\"ping_me\"}");
                assertThat(WsClient.JSON
                                .readTree(raw.nextText(REPLY))
                                .path("code")
                                .asString())
                        .as(why)
                        .isEqualTo(authenticated ? "unknown_type" : "no_hello");
            }
            if (i % 8 == 0) {
                canary.exchange();
            }
        }

        canary.exchange();
        assertOnlyCanaryAndAttackerSessions(before, canary.messages() - canaryBefore, sessions);
    }

    @Test
    void a2_aPubkeyOrSignatureOfNonAsciiDigitsIsMalformed_closed1008() throws Exception {
        // Character.digit(c, 16) takes these as digits; A.2's hex is 0-9, a-f, A-F only.
        for (String digit : List.of("\u0663", "\uff21", "\u0e53", "\u0966")) {
            for (String field : List.of("pubkey", "signature")) {
                Map<String, Object> hello = WsClient.helloFrame(mallory, ed25519, WsClient.helloTimestamp(clock));
                hello.put(field, digit.repeat(field.equals("pubkey") ? 64 : 128));
                WsClient attacker = connect();
                attacker.sendJson(hello);

                assertThat(attacker.next(REPLY).path("code").asString())
                        .as(field + " of " + digit)
                        .isEqualTo("malformed");
                assertThat(attacker.awaitClose()).isEqualTo(new WsClient.Closed(1008, "malformed"));
            }
        }
        canary.exchange();
    }

    // ---- generators ----

    /** Cases of {@code input} that fit MAX_MESSAGE_BYTES with room to spare (the limit has its own test). */
    private Function<Random, Case> generator(OpenSessionInput input) {
        Function<Random, Case> unbounded = unboundedGenerator(input);
        return random -> {
            Case generated;
            do {
                generated = unbounded.apply(random);
            } while (utf8(generated.frame()) > properties.maxMessageBytes() - 1_024);
            return generated;
        };
    }

    private Function<Random, Case> unboundedGenerator(OpenSessionInput input) {
        return switch (input) {
            case INVALID_JSON -> random -> Case.of(invalidJson(random, anyFrame(random)), MALFORMED, null);
            case NOT_AN_OBJECT_WITH_A_STRING_TYPE ->
                random -> Case.of(notAnObjectWithAStringType(random), MALFORMED, null);
            case HUGE_NUMBERS -> this::hugeNumbers;
            case DEEP_NESTING -> this::deepNesting10000;
            case UNKNOWN_TYPES -> this::unknownType;
            case SEND_FIELDS_OF_WRONG_TYPES -> this::sendWithWrongFields;
            case SET_STATUS_FIELDS_OF_WRONG_TYPES -> this::setStatusWithWrongFields;
            case SECOND_HELLO -> random -> Case.of(anyHello(random), Set.of("already_authenticated"), null);
        };
    }

    /** A frame of any type, well-formed or not, as JSON object text (for mutation into invalid JSON). */
    private String anyFrame(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> validSend(random, "f" + random.nextInt(1000));
            case 1 ->
                "{\"type\":\"set_status\",\"status\":\"" + pick(random, List.of("idle", "working", "dnd")) + "\"}";
            case 2 -> anyHello(random);
            default ->
                "{\"type\":" + jsonString(letters(random, 6), random) + ",\"x\":"
                        + jsonString(edgeString(random), random) + "}";
        };
    }

    private String validSend(Random random, String id) {
        return HostileInput.object(List.of(
                new String[] {"type", "\"send\""},
                new String[] {"id", jsonString(id, random)},
                new String[] {"targetSpec", "\"" + hex(random, 32) + "\""},
                new String[] {"priority", "\"now\""},
                new String[] {"nonce", "\"" + base64(random) + "\""},
                new String[] {"ciphertext", "\"" + base64(random) + "\""}));
    }

    private Case hugeNumbers(Random random) {
        String huge = hugeNumber(random);
        return switch (random.nextInt(6)) {
            case 0 -> {
                String field = pick(random, List.of("targetSpec", "priority", "nonce", "ciphertext"));
                yield Case.of(
                        validSend(random, "h")
                                .replaceFirst("\"" + field + "\":\"[^\"]*\"", "\"" + field + "\":" + huge),
                        MALFORMED,
                        null);
            }
            case 1 ->
                Case.of(
                        validSend(random, "h").replaceFirst("\"id\":\"h\"", "\"id\":" + huge),
                        Set.of("unknown_target", "malformed"),
                        null);
            case 2 -> Case.of("{\"type\":\"set_status\",\"status\":" + huge + "}", MALFORMED, null);
            case 3 -> Case.of("{\"type\":\"x_numbers\",\"n\":" + huge + "}", Set.of("unknown_type", "malformed"), null);
            case 4 -> Case.of(huge, MALFORMED, null);
            default ->
                Case.of(
                        "{\"type\":\"hello\",\"pid\":" + huge + ",\"timestamp\":" + huge + "}",
                        Set.of("already_authenticated", "malformed"),
                        null);
        };
    }

    private Case deepNesting10000(Random random) {
        String deep = deepNesting(random, 10_000);
        return switch (random.nextInt(4)) {
            case 0 -> Case.of(deep, MALFORMED, null);
            case 1 ->
                Case.of(
                        validSend(random, "d").replaceFirst("\"nonce\":\"[^\"]*\"", "\"nonce\":" + deep),
                        MALFORMED,
                        null);
            case 2 -> Case.of("{\"type\":\"set_status\",\"status\":" + deep + "}", MALFORMED, null);
            default -> Case.of("{\"type\":\"x_deep\",\"payload\":" + deep + "}", MALFORMED, null);
        };
    }

    private Case unknownType(Random random) {
        String type;
        do {
            type = switch (random.nextInt(5)) {
                case 0 -> letters(random, 1 + random.nextInt(30));
                case 1 ->
                    pick(
                            random,
                            List.of(
                                    "HELLO",
                                    "Send",
                                    "hello ",
                                    " send",
                                    "set-status",
                                    "SET_STATUS",
                                    "",
                                    "ack",
                                    "push",
                                    "error",
                                    "hello_ack",
                                    "client_ack",
                                    "list_peers"));
                case 2 -> "x".repeat(1 + random.nextInt(20_000));
                default -> edgeString(random);
            };
        } while (Set.of("hello", "send", "set_status").contains(type));
        String extra = edgeString(random);
        String frame = "{\"type\":" + jsonString(type, random) + ",\"data\":" + jsonString(extra, random) + "}";
        return Case.of(frame, wellFormed(type) && wellFormed(extra) ? Set.of("unknown_type") : MALFORMED, null);
    }

    /**
     * A send whose fields are of the wrong type, missing or of the wrong form (A.4), or well-formed
     * and aimed at a key that is no member (so that nothing may be stored either way). The expected
     * code follows A.4's refusal order: malformed, bad_priority, then unknown_target.
     */
    private Case sendWithWrongFields(Random random) {
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"type", "\"send\""});
        boolean malformed = false;
        boolean badPriority = false;
        boolean illFormed = false;

        String expectedId;
        switch (random.nextInt(10)) {
            case 0, 1 -> {
                fields.add(new String[] {"id", notAString(random)});
                expectedId = "";
            }
            case 2 -> expectedId = "";
            default -> {
                String id = random.nextInt(3) == 0 ? edgeString(random) : letters(random, 8);
                fields.add(new String[] {"id", jsonString(id, random)});
                expectedId = id;
                illFormed |= !wellFormed(id);
            }
        }

        switch (random.nextInt(8)) {
            case 0 -> {
                fields.add(new String[] {"targetSpec", notAString(random)});
                malformed = true;
            }
            case 1 -> malformed = true;
            case 2 -> {
                fields.add(new String[] {"targetSpec", pick(random, List.of("\"\"", "\"ab\\u0000cd\""))});
                malformed = true;
            }
            case 3 -> {
                String target = edgeString(random);
                fields.add(new String[] {"targetSpec", jsonString(target, random)});
                malformed = target.isEmpty() || target.indexOf('\0') >= 0;
                illFormed |= !wellFormed(target);
            }
            case 4 -> fields.add(new String[] {"targetSpec", "\"@" + letters(random, 6) + "\""});
            default -> fields.add(new String[] {"targetSpec", "\"" + hex(random, 32) + "\""});
        }

        switch (random.nextInt(6)) {
            case 0 -> {
                fields.add(new String[] {"priority", notAString(random)});
                malformed = true;
            }
            case 1 -> malformed = true;
            case 2 -> {
                String priority = random.nextBoolean()
                        ? pick(random, List.of("NOW", "Next", "urgent", "", " now", "now\u0000", "low "))
                        : edgeString(random);
                fields.add(new String[] {"priority", jsonString(priority, random)});
                badPriority = true;
                illFormed |= !wellFormed(priority);
            }
            default -> fields.add(new String[] {"priority", "\"" + pick(random, List.of("now", "next", "low")) + "\""});
        }

        for (String opaque : List.of("nonce", "ciphertext")) {
            switch (random.nextInt(5)) {
                case 0 -> {
                    fields.add(new String[] {opaque, notAString(random)});
                    malformed = true;
                }
                case 1 -> malformed = true;
                case 2 -> {
                    fields.add(new String[] {
                        opaque,
                        jsonString(
                                pick(
                                                random,
                                                List.of(
                                                        "",
                                                        "AA=A",
                                                        "A",
                                                        "AAAAA",
                                                        "!!!!",
                                                        "YW Jj",
                                                        "ab+-",
                                                        "====",
                                                        "YWJj\u0000",
                                                        "\u00e9t\u00e9"))
                                        + (random.nextBoolean() ? "" : "!" + edgeString(random)),
                                random)
                    });
                    malformed = true;
                }
                default -> fields.add(new String[] {opaque, "\"" + base64(random) + "\""});
            }
        }
        if (random.nextInt(4) == 0) {
            String key = edgeString(random);
            String value = edgeString(random);
            fields.add(new String[] {jsonString(key, random).replaceAll("^\"|\"$", ""), jsonString(value, random)});
            illFormed |= !wellFormed(key) || !wellFormed(value);
        }
        java.util.Collections.shuffle(fields.subList(1, fields.size()), random);

        String code = illFormed || malformed ? "malformed" : badPriority ? "bad_priority" : "unknown_target";
        return Case.of(HostileInput.object(fields), Set.of(code), expectedId);
    }

    private Case setStatusWithWrongFields(Random random) {
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"type", "\"set_status\""});
        switch (random.nextInt(4)) {
            case 0 -> fields.add(new String[] {"status", notAString(random)});
            case 1 -> {
                // no status at all
            }
            case 2 ->
                fields.add(new String[] {
                    "status",
                    jsonString(
                            pick(
                                    random,
                                    List.of("IDLE", "Working", "busy", "", " dnd", "dnd\u0000", "idle ", "offline")),
                            random)
                });
            default -> fields.add(new String[] {"status", jsonString(edgeString(random), random)});
        }
        if (random.nextBoolean()) {
            fields.add(new String[] {"id", jsonString(edgeString(random), random)});
        }
        return Case.of(HostileInput.object(fields), MALFORMED, null);
    }

    /** A hello with any subset of its fields, any values: after a hello it is always {@code already_authenticated}. */
    private String anyHello(Random random) {
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"type", "\"hello\""});
        for (String field : HELLO_FIELDS) {
            if (random.nextInt(4) != 0) {
                fields.add(new String[] {
                    field, random.nextBoolean() ? notAString(random) : jsonString(edgeString(random), random)
                });
            }
        }
        return HostileInput.object(fields);
    }

    /** A valid, signed hello of mallory with one to three fields replaced by a value of the wrong type or form, or removed. */
    private String helloWithWrongFields(Random random) {
        Map<String, Object> valid = WsClient.helloFrame(mallory, ed25519, WsClient.helloTimestamp(clock));
        Map<String, String> fields = new TreeMap<>();
        valid.forEach((name, value) ->
                fields.put(name, value instanceof String text ? "\"" + text + "\"" : String.valueOf(value)));
        int wrong = 1 + random.nextInt(3);
        for (int i = 0; i < wrong; i++) {
            String field = pick(random, HELLO_FIELDS);
            String value = wrongHelloValue(field, random);
            if (value == null) {
                fields.remove(field);
            } else {
                fields.put(field, value);
            }
        }
        List<String[]> ordered = new ArrayList<>();
        fields.forEach((name, value) -> ordered.add(new String[] {name, value}));
        return HostileInput.object(ordered);
    }

    /** A value {@code field} may not have in a hello (A.3 check 1); null for "missing". */
    private static String wrongHelloValue(String field, Random random) {
        if (random.nextInt(6) == 0) {
            return null;
        }
        return switch (field) {
            case "pid" ->
                pick(
                        random,
                        List.of(
                                "\"4242\"",
                                "1.5",
                                "1.0",
                                "2147483648",
                                "-2147483649",
                                "true",
                                "null",
                                "[1]",
                                "9".repeat(30)));
            case "timestamp" ->
                pick(
                        random,
                        List.of(
                                "\"1767225600000\"",
                                "1.767e12",
                                "9223372036854775808",
                                "false",
                                "{}",
                                "1767225600000.5"));
            case "pubkey" ->
                pick(
                        random,
                        List.of(
                                notAString(random),
                                "\"\"",
                                "\"" + hex(random, 31) + "a\"",
                                "\"" + hex(random, 33) + "\"",
                                "\"" + "g".repeat(64) + "\"",
                                "\"" + hex(random, 31) + "\\u0000a\""));
            case "signature" ->
                pick(
                        random,
                        List.of(
                                notAString(random),
                                "\"" + hex(random, 63) + "\"",
                                "\"" + hex(random, 65) + "\"",
                                "\"" + "z".repeat(128) + "\""));
            case "cwd" ->
                pick(
                        random,
                        List.of(
                                notAString(random),
                                "\"/a\\u0000b\"",
                                "\"/" + "x".repeat(2_100) + "\"",
                                "\"/\\ud800\""));
            case "sessionId" -> pick(random, List.of(notAString(random), "\"s\\u0000\"", "\"\\udc00\""));
            default -> pick(random, List.of(notAString(random), "\"\"", "\"m\\u0000\"", "\"\\ud800x\""));
        };
    }

    // ---- raw-socket cases that end in a close ----

    /** What one closure case sends on a raw socket (authenticated or not); returns the close codes it may get. */
    @FunctionalInterface
    interface Closure {
        Set<Integer> send(RawWebSocket raw, Random random) throws Exception;
    }

    /**
     * Runs {@code cases} closure cases, every other one after a hello, each on its own raw socket;
     * the canary exchanges throughout; in the end only the canary's traffic and the attacker's own
     * sessions (opened, closed) are stored.
     */
    private void expectClosures(String property, int cases, Closure closure) throws Exception {
        Random random = HostileInput.random(property);
        StoredRows before = StoredRows.take(jdbc);
        int canaryBefore = canary.messages();
        int sessions = 0;
        for (int i = 0; i < cases; i++) {
            try (RawWebSocket raw = RawWebSocket.open(port)) {
                boolean authenticated = i % 2 == 0;
                if (authenticated) {
                    helloRaw(raw);
                    sessions++;
                }
                Set<Integer> codes = closure.send(raw, random);
                assertThat(raw.awaitClose(REPLY).closeCode())
                        .as(
                                "%s case %d (%s) of seed %d",
                                property,
                                i,
                                authenticated ? "after hello" : "before hello",
                                HostileInput.seed(property))
                        .isIn(codes);
            }
            if (i % 8 == 0) {
                canary.exchange();
            }
        }
        canary.exchange();
        assertOnlyCanaryAndAttackerSessions(before, canary.messages() - canaryBefore, sessions);
    }

    private void assertOnlyCanaryAndAttackerSessions(StoredRows before, int canaryMessages, int sessions) {
        Map<String, Integer> expected = canaryRows(canaryMessages);
        if (sessions > 0) {
            expected.put("presence " + mesh, sessions);
            expected.put("audit_log " + mesh + " session_opened", sessions);
            expected.put("audit_log " + mesh + " session_closed", sessions);
        }
        await().atMost(STORED).untilAsserted(() -> {
            StoredRows after = StoredRows.take(jdbc);
            assertThat(before.addedIn(after)).isEqualTo(expected);
            assertThat(outsideCanary(before.changedIn(after))).isEmpty();
        });
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM mesh.presence WHERE member_id = ? AND disconnected_at IS NULL",
                        Integer.class,
                        mallory.id()))
                .as("every attacker session is closed")
                .isZero();
    }

    private void helloRaw(RawWebSocket raw) throws Exception {
        raw.sendText(WsClient.JSON.writeValueAsString(
                WsClient.helloFrame(mallory, ed25519, WsClient.helloTimestamp(clock))));
        String reply = raw.nextText(REPLY);
        assertThat(WsClient.JSON.readTree(reply).path("type").asString())
                .as(reply)
                .isEqualTo("hello_ack");
    }

    /** One message as one frame or as a first frame and continuations, split at random byte offsets. */
    static void sendFragmented(RawWebSocket raw, int opcode, byte[] message, Random random) throws Exception {
        int parts = 1 + random.nextInt(4);
        int at = 0;
        for (int part = 0; part < parts; part++) {
            boolean last = part == parts - 1;
            int end = last ? message.length : at + random.nextInt(message.length - at + 1);
            byte[] piece = java.util.Arrays.copyOfRange(message, at, end);
            raw.sendFrame(part == 0 ? opcode : RawWebSocket.OP_CONTINUATION, last, piece);
            at = end;
        }
    }

    /** A send (id "big", aimed at no member) or another frame of exactly {@code bytes} UTF-8 bytes. */
    private static String frameOfExactly(int bytes, String wide, boolean send, Random random) {
        String head = send
                ? "{\"type\":\"send\",\"id\":\"big\",\"targetSpec\":\"" + hex(random, 32)
                        + "\",\"priority\":\"now\",\"nonce\":\"bm9uY2U=\",\"ciphertext\":\"Y2lwaGVy\",\"pad\":\""
                : "{\"type\":\"x_size\",\"pad\":\"";
        String tail = "\"}";
        int room = bytes - utf8(head) - utf8(tail);
        int wideBytes = utf8(wide);
        StringBuilder pad = new StringBuilder();
        pad.append(wide.repeat(room / wideBytes));
        pad.append("a".repeat(room % wideBytes));
        String frame = head + pad + tail;
        assertThat(utf8(frame)).isEqualTo(bytes);
        return frame;
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private Map<String, Integer> canaryRows(int messages) {
        Map<String, Integer> rows = new TreeMap<>();
        if (messages > 0) {
            rows.put("message_queue " + canary.mesh, messages);
            rows.put("delivery " + canary.mesh, messages);
            rows.put("audit_log " + canary.mesh + " message_routed", messages);
        }
        return rows;
    }

    private Map<String, Integer> outsideCanary(Map<String, Integer> rows) {
        Map<String, Integer> outside = new TreeMap<>(rows);
        outside.keySet().removeIf(row -> row.contains(canary.mesh));
        return outside;
    }

    private static void assertAnswered(JsonNode reply, Case sent, String where) {
        assertThat(reply.path("type").asString())
                .as("%s: %s → %s", where, sent, reply)
                .isEqualTo("error");
        assertThat(reply.path("code").asString())
                .as("%s: %s → %s", where, sent, reply)
                .isIn(sent.codes());
        if (sent.id() != null) {
            assertThat(reply.path("id").asString())
                    .as("%s: %s → %s", where, sent, reply)
                    .isEqualTo(sent.id());
        }
    }

    private static byte[] withFirstByte(byte[] frame, int first) {
        frame[0] = (byte) first;
        return frame;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
