package com.claudemesh.broker.crypto;

import java.util.Base64;

/** base64url without padding, the encoding of invite tokens and mesh root keys (PROTOCOL A.10, A.11). */
public final class Base64Url {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {}

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /** Decodes with or without padding; throws {@link IllegalArgumentException} on bad input. */
    public static byte[] decode(String value) {
        return DECODER.decode(value);
    }
}
