package com.claudemesh.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The shared frame of one envelope's pushes (PROTOCOL A.5: a push frame names no recipient). */
class EncodedOnceTest {

    @Test
    void theFirstEncodingIsKept_laterWritersReuseIt() {
        EncodedOnce frame = EncodedOnce.forRecipients(2);
        AtomicInteger encodings = new AtomicInteger();

        String first = frame.text(() -> "frame " + encodings.incrementAndGet());
        String second = frame.text(() -> "frame " + encodings.incrementAndGet());

        assertThat(second).isSameAs(first).isEqualTo("frame 1");
        assertThat(encodings).hasValue(1);
    }

    @Test
    void anEncodingThatFailedKeepsNothing_theNextWriterEncodesAgain() {
        EncodedOnce frame = EncodedOnce.forRecipients(99);

        assertThatThrownBy(() -> frame.text(() -> {
                    throw new IllegalStateException("cannot encode");
                }))
                .hasMessage("cannot encode");

        assertThat(frame.text(() -> "frame")).isEqualTo("frame");
    }

    @Test
    void aFrameNoOtherPushShares_isNotKept() {
        EncodedOnce alone = EncodedOnce.forRecipients(1);
        AtomicInteger encodings = new AtomicInteger();

        alone.text(() -> "frame " + encodings.incrementAndGet());

        assertThat(alone).isSameAs(EncodedOnce.ALONE);
        assertThat(alone.text(() -> "frame " + encodings.incrementAndGet())).isEqualTo("frame 2");
    }
}
