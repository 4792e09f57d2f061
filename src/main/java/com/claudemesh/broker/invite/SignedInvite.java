package com.claudemesh.broker.invite;

import com.claudemesh.broker.crypto.Base64Url;
import java.nio.charset.StandardCharsets;

/**
 * A signed invite and its wire forms (PROTOCOL A.10): the payload JSON with keys in exactly the
 * protocol's order and no spaces (what JavaScript's {@code JSON.stringify} produces, which the web
 * app and the CLI use), the token (base64url of it, no padding) and the {@code ic://join/} link.
 */
record SignedInvite(InviteFields fields, String signature) {

    static final String LINK_PREFIX = "ic://join/";

    String payloadJson() {
        return new StringBuilder(512)
                .append("{\"v\":")
                .append(fields.v())
                .append(",\"mesh_id\":")
                .append(quote(fields.meshId()))
                .append(",\"mesh_slug\":")
                .append(quote(fields.meshSlug()))
                .append(",\"broker_url\":")
                .append(quote(fields.brokerUrl()))
                .append(",\"expires_at\":")
                .append(fields.expiresAt())
                .append(",\"mesh_root_key\":")
                .append(quote(fields.meshRootKey()))
                .append(",\"role\":")
                .append(quote(fields.role()))
                .append(",\"owner_pubkey\":")
                .append(quote(fields.ownerPubkey()))
                .append(",\"signature\":")
                .append(quote(signature))
                .append('}')
                .toString();
    }

    String token() {
        return Base64Url.encode(payloadJson().getBytes(StandardCharsets.UTF_8));
    }

    String link() {
        return LINK_PREFIX + token();
    }

    /** A JSON string literal escaped as {@code JSON.stringify} escapes it. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || isLoneSurrogate(value, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static boolean isLoneSurrogate(String value, int i) {
        char c = value.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(value.charAt(i - 1));
        }
        return false;
    }

    @Override
    public String toString() {
        return "SignedInvite[" + fields + "]";
    }
}
