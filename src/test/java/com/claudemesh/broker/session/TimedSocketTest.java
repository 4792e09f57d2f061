package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;

/** How the writer tells a peer that does not drain (a send timeout) from a lost connection. */
class TimedSocketTest {

    /** A socket whose flush blocks until released, like a write the peer does not drain. */
    private static final class BlockingSocket implements Socket {
        final CountDownLatch flushing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String id() {
            return "blocking";
        }

        @Override
        public void text(String frame) {}

        @Override
        public void ping(ByteBuffer payload) {}

        @Override
        public void flush() throws IOException {
            flushing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public void close(CloseStatus status) {}

        @Override
        public void abort(CloseStatus status) {}

        @Override
        public boolean isOpen() {
            return true;
        }
    }

    @Test
    void aWriteBlockedForTheSendTimeoutIsTimedOut_andNoWriteInProgressNever() throws Exception {
        BlockingSocket blocking = new BlockingSocket();
        TimedSocket socket = new TimedSocket(blocking);
        assertThat(socket.writeTimedOut(Duration.ZERO))
                .as("no write in progress")
                .isFalse();

        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                socket.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(blocking.flushing.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(socket.writeTimedOut(Duration.ZERO))
                .as("blocked past a zero timeout")
                .isTrue();
        assertThat(socket.writeTimedOut(Duration.ofDays(1)))
                .as("blocked, but not for a day")
                .isFalse();

        blocking.release.countDown();
        writer.join(Duration.ofSeconds(5));
        assertThat(socket.writeTimedOut(Duration.ZERO)).as("the write ended").isFalse();
    }

    @Test
    void aFailureCausedByATimeoutAnywhereInItsChainIsATimeout_otherFailuresAreNot() {
        assertThat(TimedSocket.timedOut(new IOException(new SocketTimeoutException())))
                .isTrue();
        assertThat(TimedSocket.timedOut(new IllegalStateException(new IOException(new TimeoutException()))))
                .isTrue();
        assertThat(TimedSocket.timedOut(new IOException("Broken pipe"))).isFalse();
    }
}
