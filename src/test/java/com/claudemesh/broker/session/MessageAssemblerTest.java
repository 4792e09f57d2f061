package com.claudemesh.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** PROTOCOL A.1: a message is assembled from fragments and measured against MAX_MESSAGE_BYTES. */
class MessageAssemblerTest {

    private final MessageAssembler assembler = new MessageAssembler(10);

    @Test
    void a1_aMessageInOnePieceIsWholeAtOnce() {
        assertThat(assembler.add("{\"a\":1}", true)).isEqualTo(new MessageAssembler.Whole("{\"a\":1}", false));
    }

    @Test
    void a1_fragmentsAreJoinedInOrder() {
        assertThat(assembler.add("abc", false)).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add("def", false)).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add("g", true)).isEqualTo(new MessageAssembler.Whole("abcdefg", false));
        assertThat(assembler.add("next", true)).isEqualTo(new MessageAssembler.Whole("next", false));
    }

    @Test
    void a1_aMessageGrowingPastTheLimitIsTooBigBeforeItEnds_andItsRestIsDiscarded() {
        assertThat(assembler.add("123456", false)).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add("789012", false)).isInstanceOf(MessageAssembler.TooBig.class);
        assertThat(assembler.add("more", false)).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add("end", true)).isInstanceOf(MessageAssembler.Partial.class);
        assertThat(assembler.add("fresh", true)).isEqualTo(new MessageAssembler.Whole("fresh", false));
    }

    @Test
    void a1_theLimitCountsUtf8Bytes_notCharacters() {
        // Five characters, ten bytes: at the limit. Six: over it, although only six characters.
        assertThat(assembler.add("ééééé", true)).isEqualTo(new MessageAssembler.Whole("ééééé", false));
        assertThat(assembler.add("éééééé", true)).isEqualTo(new MessageAssembler.Whole("éééééé", true));
        assertThat(MessageAssembler.exceedsBytes("\ud83d\ude00\ud83d\ude00\ud83d\ude00", 10))
                .as("three 4-byte characters are 12 bytes")
                .isTrue();
        assertThat(assembler.add("12345678901", true)).isEqualTo(new MessageAssembler.Whole("12345678901", true));
    }
}
