package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.presence.HookToken;
import com.claudemesh.broker.presence.Status;
import com.claudemesh.broker.protocol.ClientText;
import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.routing.Push;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

/** The frame rules of PROTOCOL A.3, A.4 and A.8, decided on the text of a frame without a socket. */
class FramesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PUBKEY = "ab".repeat(32);
    private static final String SIGNATURE = "cd".repeat(64);

    private static String send(String id, String nonce, String ciphertext) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"targetSpec\":\"" + PUBKEY
                + "\",\"priority\":\"now\",\"nonce\":\"" + nonce + "\",\"ciphertext\":\"" + ciphertext + "\"}";
    }

    private static String hello(String cwd, String sessionId) {
        return "{\"type\":\"hello\",\"meshId\":\"m1\",\"memberId\":\"u1\",\"pubkey\":\"" + PUBKEY
                + "\",\"sessionId\":\"" + sessionId + "\",\"pid\":42,\"cwd\":\"" + cwd
                + "\",\"timestamp\":1767225600000,\"signature\":\"" + SIGNATURE + "\"}";
    }

    @Test
    void a4_aWellFormedSendPasses() {
        assertThat(Frames.parse(send("c1", "bm9uY2U=", "Y2lwaGVy")))
                .isEqualTo(new Frames.Send("c1", PUBKEY, Priority.NOW, "bm9uY2U=", "Y2lwaGVy"));
    }

    @Test
    void a4_aLoneSurrogateInTheNonceIsMalformed_theIdEchoed() {
        // The poison DM of issue 9: legal JSON, acked and stored before, fatal to the recipient's writer.
        Frames.Inbound frame = Frames.parse(send("poison", "\\ud800", "AAAA"));

        assertThat(frame).isInstanceOfSatisfying(Frames.BadSend.class, bad -> {
            assertThat(bad.code()).isEqualTo("malformed");
            assertThat(bad.id()).isEqualTo("poison");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"AA=A", "", "not base64!", "A", "bm9u\\nY2U=", "ab+_"})
    void a4_aCiphertextThatIsNotBase64IsMalformed(String ciphertext) {
        assertThat(Frames.parse(send("c2", "bm9uY2U=", ciphertext)))
                .isEqualTo(new Frames.BadSend("malformed", malformedSendMessage(), "c2"));
    }

    @Test
    void a4_aNonceThatIsNotBase64IsMalformed_urlSafeAndUnpaddedArePassed() {
        assertThat(Frames.parse(send("c3", "AA=A", "Y2lwaGVy"))).isInstanceOf(Frames.BadSend.class);
        assertThat(Frames.parse(send("c4", "bm9uY2U", "Y2lw_-Vy"))).isInstanceOf(Frames.Send.class);
    }

    @Test
    void a4_aLoneSurrogateInTheIdIsMalformed_andTheIdIsEchoedAsItCame() {
        Frames.Inbound frame = Frames.parse(send("x\\udc00y", "bm9uY2U=", "Y2lwaGVy"));

        assertThat(frame)
                .isInstanceOfSatisfying(
                        Frames.BadSend.class, bad -> assertThat(bad.id()).isEqualTo("x\udc00y"));
    }

    @Test
    void a4_aNulInTheIdIsNoReasonToRefuse_andIsEchoed() {
        assertThat(Frames.parse(send("a\\u0000b", "bm9uY2U=", "Y2lwaGVy")))
                .isEqualTo(new Frames.Send("a\0b", PUBKEY, Priority.NOW, "bm9uY2U=", "Y2lwaGVy"));
    }

    @Test
    void a4_anIdThatIsNotAStringIsEchoedEmpty() {
        String frame = "{\"type\":\"send\",\"id\":7,\"targetSpec\":\"*\",\"priority\":\"now\",\"nonce\":\"bg==\"}";

        assertThat(Frames.parse(frame)).isEqualTo(new Frames.BadSend("malformed", malformedSendMessage(), ""));
    }

    @Test
    void a4_aBadPriorityIsDecidedAfterTheFieldsAreWellFormed() {
        String frame = send("p1", "bm9uY2U=", "Y2lwaGVy").replace("\"now\"", "\"urgent\"");

        assertThat(Frames.parse(frame))
                .isInstanceOfSatisfying(
                        Frames.BadSend.class, bad -> assertThat(bad.code()).isEqualTo("bad_priority"));
        assertThat(Frames.parse(frame.replace("Y2lwaGVy", "AA=A")))
                .isInstanceOfSatisfying(
                        Frames.BadSend.class, bad -> assertThat(bad.code()).isEqualTo("malformed"));
    }

    @Test
    void a4_aLoneSurrogateInAFieldTheBrokerIgnoresStillMakesTheSendMalformed() {
        String frame = send("c5", "bm9uY2U=", "Y2lwaGVy").replace("{\"type\"", "{\"extra\":[\"\\ud83d\"],\"type\"");

        assertThat(Frames.parse(frame))
                .isInstanceOfSatisfying(
                        Frames.BadSend.class, bad -> assertThat(bad.code()).isEqualTo("malformed"));
    }

    @Test
    void a3_aHelloWithALoneSurrogateInCwdOrSessionIdFailsCheckOne() {
        assertThat(Frames.parse(hello("/home/a", "s1"))).isInstanceOf(Frames.Hello.class);
        assertThat(Frames.parse(hello("/home/\\ud800", "s1"))).isInstanceOf(Frames.BadHello.class);
        assertThat(Frames.parse(hello("/home/a", "s\\udfff"))).isInstanceOf(Frames.BadHello.class);
        assertThat(Frames.parse(hello("/home/\\u0000", "s1"))).isInstanceOf(Frames.BadHello.class);
    }

    @Test
    void a8_setStatusTakesTheThreeStatuses_anythingElseIsMalformed() {
        assertThat(Frames.parse("{\"type\":\"set_status\",\"status\":\"dnd\"}"))
                .isEqualTo(new Frames.SetStatus(Status.DND));
        assertThat(Frames.parse("{\"type\":\"set_status\",\"status\":\"away\"}"))
                .isInstanceOf(Frames.Malformed.class);
        assertThat(Frames.parse("{\"type\":\"set_status\",\"status\":\"dnd\",\"note\":\"\\ud800\"}"))
                .isInstanceOf(Frames.Malformed.class);
    }

    @Test
    void partB_unknownTypesAndNonObjectsAreTold_apart() {
        assertThat(Frames.parse("{\"type\":\"list_peers\"}")).isInstanceOf(Frames.UnknownType.class);
        assertThat(Frames.parse("{\"type\":\"list_peers\",\"x\":\"\\ud800\"}")).isInstanceOf(Frames.Malformed.class);
        assertThat(Frames.parse("[1,2]")).isInstanceOf(Frames.Malformed.class);
        assertThat(Frames.parse("{\"type\":7}")).isInstanceOf(Frames.Malformed.class);
        assertThat(Frames.parse("{not json")).isInstanceOf(Frames.Malformed.class);
    }

    @Test
    void everyFrameIsWrittenAsTextThatEncodesToUtf8_aLoneSurrogateInAnEchoedIdAsAnEscape() throws Exception {
        String json = Frames.json(new Frames.Error("malformed", "m", "x\udc00y"));

        assertThat(ClientText.wellFormed(json)).isTrue();
        assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(json)).isTrue();
        assertThat(JSON.readTree(json).path("id").stringValue()).isEqualTo("x\udc00y");
    }

    @Test
    void aNulInAnEchoedIdIsWrittenAsAnEscape() throws Exception {
        String json = Frames.json(new Frames.Error("malformed", "m", "a\0b"));

        assertThat(json).contains("\"id\":\"a\\u0000b\"");
        assertThat(JSON.readTree(json).path("id").stringValue()).isEqualTo("a\0b");
    }

    @Test
    void aWellFormedFrameIsWrittenUnchanged_pairsAsTheyAre() {
        String json = Frames.json(new Frames.HelloAck("p1", "laptop \ud83d\ude00 é", new HookToken("t0k-en_")));

        assertThat(json)
                .isEqualTo("{\"type\":\"hello_ack\",\"presenceId\":\"p1\",\"memberDisplayName\":\"laptop"
                        + " \ud83d\ude00 é\",\"hookToken\":\"t0k-en_\"}");
    }

    @Test
    void a5_aPushIsWrittenWithItsFieldsInOrder() {
        Push push = new Push(
                "u2",
                "m1",
                "mesh",
                PUBKEY,
                Priority.NEXT,
                "bm9uY2U=",
                "Y2lwaGVy",
                Instant.parse("2026-04-05T16:01:22.123Z"),
                Instant.parse("2026-04-05T16:01:22.124Z"),
                true);

        assertThat(Frames.json(new Frames.PushFrame(push)))
                .isEqualTo("{\"type\":\"push\",\"messageId\":\"m1\",\"meshId\":\"mesh\",\"senderPubkey\":\"" + PUBKEY
                        + "\",\"priority\":\"next\",\"nonce\":\"bm9uY2U=\",\"ciphertext\":\"Y2lwaGVy\","
                        + "\"createdAt\":\"2026-04-05T16:01:22.123Z\"}");
    }

    private static String malformedSendMessage() {
        return ((Frames.BadSend) Frames.parse(send("probe", "", ""))).message();
    }
}
