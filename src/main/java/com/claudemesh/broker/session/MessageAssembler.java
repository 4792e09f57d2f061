package com.claudemesh.broker.session;

/**
 * Assembles one socket's text messages from the fragments Tomcat hands over, and measures them
 * against {@code MAX_MESSAGE_BYTES} (PROTOCOL A.1). Tomcat's per-session buffer is small, so an idle
 * session holds kilobytes rather than a {@code MAX_MESSAGE_BYTES} buffer; the limit is enforced
 * here instead, while the message grows. Tomcat limits characters, the protocol bytes: a message
 * short enough in characters can still be too large in UTF-8, which {@link Whole#oversized} tells.
 * Pure; used by the socket's reader thread only.
 */
final class MessageAssembler {

    sealed interface Result {}

    /** More fragments of this message are to come. */
    record Partial() implements Result {}

    /** A whole message; {@code oversized} when its UTF-8 form exceeds the limit. */
    record Whole(String text, boolean oversized) implements Result {}

    /** The message exceeds the limit before it is whole: the socket is closed with 1009. */
    record TooBig() implements Result {}

    private static final Partial PARTIAL = new Partial();

    private final int maxBytes;
    private StringBuilder assembling;
    private boolean discarding;

    MessageAssembler(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    Result add(String part, boolean last) {
        if (discarding) {
            discarding = !last;
            return PARTIAL;
        }
        if (last && assembling == null) {
            return new Whole(part, exceedsBytes(part, maxBytes));
        }
        if (assembling == null) {
            assembling = new StringBuilder(part.length() * 2);
        }
        if (assembling.length() + part.length() > maxBytes) {
            assembling = null;
            discarding = !last;
            return new TooBig();
        }
        assembling.append(part);
        if (!last) {
            return PARTIAL;
        }
        String whole = assembling.toString();
        assembling = null;
        return new Whole(whole, exceedsBytes(whole, maxBytes));
    }

    /** Whether the UTF-8 form of {@code text} is longer than {@code maxBytes}, counted without encoding it. */
    static boolean exceedsBytes(String text, int maxBytes) {
        if (text.length() > maxBytes) {
            return true;
        }
        if ((long) text.length() * 3 <= maxBytes) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes > maxBytes;
    }
}
