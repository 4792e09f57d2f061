package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.atIndex;
import static org.awaitility.Awaitility.await;

import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.routing.Push;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;

/** A socket's writer never dies silently: it skips what it cannot encode and reports what it cannot write. */
class OutboundTest {

    private static final String PUBKEY = "ab".repeat(32);

    private final RecordingSocket socket = new RecordingSocket();
    private final List<Push> unencodable = new CopyOnWriteArrayList<>();
    private final List<Exception> writeFailures = new CopyOnWriteArrayList<>();
    private final AtomicInteger writersEnded = new AtomicInteger();
    private final Outbound outbound = new Outbound(
            socket,
            8,
            Duration.ofMillis(100),
            new Outbound.Events() {
                @Override
                public void writeFailed(boolean timedOut) {
                    writersEnded.incrementAndGet();
                }

                @Override
                public void roomAgain() {}
            },
            new SocketWriter.Reports() {
                @Override
                public void pushWritten(Push push) {}

                @Override
                public void pushUnencodable(Push push, RuntimeException failure) {
                    unencodable.add(push);
                }

                @Override
                public void replyUnencodable(RuntimeException failure) {}

                @Override
                public void writeFailed(Exception failure, boolean timedOut) {
                    writeFailures.add(failure);
                }
            });

    private static Push push(String messageId, Instant createdAt) {
        return new Push(
                "u2", messageId, "mesh", PUBKEY, Priority.NOW, "bm9uY2U=", "Y2lwaGVy", createdAt, Instant.EPOCH, true);
    }

    @AfterEach
    void stop() {
        outbound.stop();
    }

    @Test
    void aPushThatCannotBeEncodedIsSkippedAndReported_andTheWriterGoesOnWithTheNext() {
        // A push without its createdAt has no A.5 form: encoding it fails inside the writer.
        Push broken = push("broken", null);
        Push fine = push("fine", Instant.parse("2026-04-05T16:01:22.123Z"));
        assertThat(outbound.offerPush(broken)).isTrue();
        assertThat(outbound.offerPush(fine)).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> socket.written.size() >= 2);
        assertThat(unencodable).containsExactly(broken);
        assertThat(socket.written.getFirst())
                .isInstanceOfSatisfying(
                        RecordingSocket.Text.class,
                        text -> assertThat(text.json()).contains("\"messageId\":\"fine\""));
        assertThat(socket.written.get(1)).isInstanceOf(RecordingSocket.Ping.class);
        assertThat(outbound.room()).as("the skipped push no longer counts").isEqualTo(7);
        assertThat(writeFailures).isEmpty();
        outbound.stop();
        assertThat(outbound.confirmedByHandshake()).containsExactly(fine);
    }

    @Test
    void aWriteThatFailsIsReported_theWriterDoesNotDieSilently() {
        IllegalArgumentException encodingError = new IllegalArgumentException("Encoding error [MALFORMED[1]]");
        socket.failWhen(sent -> sent instanceof RecordingSocket.Text, encodingError);
        outbound.offerPush(push("m1", Instant.parse("2026-04-05T16:01:22.123Z")));

        await().atMost(Duration.ofSeconds(5)).until(() -> !writeFailures.isEmpty());
        assertThat(writeFailures).containsExactly(encodingError);
        await().atMost(Duration.ofSeconds(5)).until(() -> writersEnded.get() == 1);
        outbound.stop();
        assertThat(outbound.confirmedByHandshake())
                .as("a push whose write failed stays pending")
                .isEmpty();
    }

    @Test
    void aWriteThatFailsBecauseThePeersCloseCameFirst_isNoFailureOfTheBrokers() {
        // The peer's close lands while the frame is being written: the socket is closed by the
        // time the write's exception reaches the writer.
        socket.failWhen(
                sent -> {
                    socket.aborted = true;
                    return true;
                },
                new IllegalStateException("The WebSocket session has been closed"));
        outbound.offerPush(push("m1", Instant.parse("2026-04-05T16:01:22.123Z")));

        await().atMost(Duration.ofSeconds(5)).until(() -> outbound.room() == 0);
        outbound.stop();
        assertThat(writeFailures).isEmpty();
        assertThat(writersEnded).hasValue(0);
    }

    @Test
    void a6_aCloseWritesEverythingBatchedFirst_andAsksForConfirmationBeforeTheCloseFrame() {
        for (int i = 0; i < 3; i++) {
            outbound.offerPush(push("m" + i, Instant.parse("2026-04-05T16:01:22.123Z")));
        }
        outbound.requestClose(new CloseStatus(1001, "shutdown"));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> !socket.written.isEmpty() && socket.written.getLast() instanceof RecordingSocket.Close);
        List<RecordingSocket.Sent> wire = socket.written;
        assertThat(socket.texts())
                .extracting(RecordingSocket.Text::json)
                .satisfiesExactly(
                        json -> assertThat(json).contains("\"m0\""),
                        json -> assertThat(json).contains("\"m1\""),
                        json -> assertThat(json).contains("\"m2\""));
        int lastText = wire.indexOf(socket.texts().getLast());
        assertThat(wire.subList(lastText + 1, wire.size() - 1))
                .as("a ping after the last push, before the close frame")
                .isNotEmpty()
                .allMatch(RecordingSocket.Ping.class::isInstance);
        outbound.stop();
        assertThat(outbound.confirmedByHandshake()).extracting(Push::messageId).containsExactly("m0", "m1", "m2");
    }

    @Test
    void a6_aPushCountsAsWrittenOnlyOnceFlushed_aFailedFlushLeavesItPending() {
        socket.failFlushes = true;

        outbound.offerPush(push("m1", Instant.parse("2026-04-05T16:01:22.123Z")));

        await().atMost(Duration.ofSeconds(5)).until(() -> !writeFailures.isEmpty());
        assertThat(socket.written).isEmpty();
        outbound.stop();
        assertThat(outbound.confirmedByHandshake())
                .as("never on the wire: released, not confirmed")
                .isEmpty();
    }

    @Test
    void a6_aPushToAQuietSession_leavesWithThePingThatCoversIt_inOneWrite() {
        outbound.offerPush(push("m1", Instant.parse("2026-04-05T16:01:22.123Z")));

        await().atMost(Duration.ofSeconds(5)).until(() -> socket.written.size() >= 2);
        assertThat(socket.flushes)
                .singleElement()
                .satisfies(frames -> assertThat(frames)
                        .hasSize(2)
                        .satisfies(push -> assertThat(push).isInstanceOf(RecordingSocket.Text.class), atIndex(0))
                        .satisfies(ping -> assertThat(ping).isInstanceOf(RecordingSocket.Ping.class), atIndex(1)));
    }

    @Test
    void aReplyWithALoneSurrogateIsWrittenAsValidText() {
        outbound.addReply(new Frames.Error("malformed", "m", "x\udc00y"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !socket.written.isEmpty());
        assertThat(socket.texts().getFirst().json()).contains("\"id\":\"x\\uDC00y\"");
        assertThat(writeFailures).isEmpty();
    }
}
