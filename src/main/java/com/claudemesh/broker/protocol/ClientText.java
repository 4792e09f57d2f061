package com.claudemesh.broker.protocol;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What a string from a client must be before the broker keeps it or hands it to anyone (PROTOCOL
 * A.4). JSON may carry a lone UTF-16 surrogate ({@code "\ud800"}) that no UTF-8 encoder accepts:
 * stored or queued, such a string fails later, on the way out to some other member, where nobody
 * can answer the sender any more. So it is refused on the way in.
 */
public final class ClientText {

    private static final byte LETTER_OR_DIGIT = 1;
    private static final byte STANDARD = 2;
    private static final byte URL_SAFE = 4;
    /** What each ASCII character is to base64: not part of it (0), or of which alphabet. */
    private static final byte[] BASE64_KIND = new byte[128];

    static {
        for (char c = 'A'; c <= 'Z'; c++) {
            BASE64_KIND[c] = LETTER_OR_DIGIT;
            BASE64_KIND[Character.toLowerCase(c)] = LETTER_OR_DIGIT;
        }
        for (char c = '0'; c <= '9'; c++) {
            BASE64_KIND[c] = LETTER_OR_DIGIT;
        }
        BASE64_KIND['+'] = STANDARD;
        BASE64_KIND['/'] = STANDARD;
        BASE64_KIND['-'] = URL_SAFE;
        BASE64_KIND['_'] = URL_SAFE;
    }

    private ClientText() {}

    /** Every surrogate is half of a high–low pair: the text can be encoded as UTF-8. */
    public static boolean wellFormed(CharSequence text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 == n || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /**
     * {@link #wellFormed(JsonNode)} for a document parsed from {@code decodedJson}, text that a strict
     * UTF-8 decoder produced — as Tomcat decodes WebSocket text frames (the JDK's decoder, reporting
     * malformed input, refuses encoded surrogates). Such text holds no lone surrogate, so one can
     * only enter as a backslash-u escape: without a backslash there is nothing to walk, and one
     * vectorised search replaces a look at every character of every message.
     */
    public static boolean wellFormed(String decodedJson, JsonNode document) {
        return decodedJson.indexOf('\\') < 0 || wellFormed(document);
    }

    /**
     * Every string of a parsed JSON document — values and field names, at any depth — is {@link
     * #wellFormed}. Walked without recursion, so the depth of the document cannot exhaust the stack.
     */
    public static boolean wellFormed(JsonNode document) {
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(document);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isString()) {
                if (!wellFormed(node.stringValue())) {
                    return false;
                }
            } else if (node.isObject()) {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    if (!wellFormed(field.getKey())) {
                        return false;
                    }
                    pending.push(field.getValue());
                }
            } else if (node.isArray()) {
                node.values().forEach(pending::push);
            }
        }
        return true;
    }

    /** Fits a PostgreSQL {@code text} column unchanged: well-formed and without NUL, which text cannot hold. */
    public static boolean storable(String text) {
        return text != null && text.indexOf('\0') < 0 && wellFormed(text);
    }

    /**
     * PROTOCOL A.4's rule for {@code nonce} and {@code ciphertext}: a non-empty base64 string in the
     * standard ({@code +/}) or the URL-safe ({@code -_}) alphabet — one of them, not a mix — with or
     * without its {@code =} padding, and no length rule beyond what base64 itself allows (a last
     * group of one character encodes nothing). The content stays opaque; only a text that some
     * decoder can read is accepted, so no recipient is handed one that none can.
     */
    public static boolean base64(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        int end = text.length();
        int padding = 0;
        while (padding < 2 && end > 0 && text.charAt(end - 1) == '=') {
            end--;
            padding++;
        }
        // Every message passes here twice (nonce, ciphertext): one table lookup per character.
        int seen = 0;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            int kind = c < BASE64_KIND.length ? BASE64_KIND[c] : 0;
            if (kind == 0) {
                return false;
            }
            seen |= kind;
        }
        if ((seen & (STANDARD | URL_SAFE)) == (STANDARD | URL_SAFE)) {
            return false;
        }
        int lastGroup = end % 4;
        if (end == 0 || lastGroup == 1) {
            return false;
        }
        // Padding, when present, completes the last group to four characters exactly.
        return padding == 0 || lastGroup + padding == 4;
    }
}
