package com.claudemesh.broker.crypto;

import java.util.HexFormat;
import java.util.Locale;

/** Hex as PROTOCOL A.2 uses it: accepted in either case, produced lowercase. */
public final class Hex {

    private static final HexFormat LOWER = HexFormat.of();

    private Hex() {}

    /** Whether {@code value} is exactly {@code chars} hex digits (either case). */
    public static boolean isHex(String value, int chars) {
        if (value == null || value.length() != chars) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.digit(value.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    public static String encode(byte[] bytes) {
        return LOWER.formatHex(bytes);
    }

    /** Decodes hex of either case; throws {@link IllegalArgumentException} on anything else. */
    public static byte[] decode(String hex) {
        if (hex == null || hex.length() % 2 != 0) {
            throw new IllegalArgumentException("not hex");
        }
        return LOWER.parseHex(hex.toLowerCase(Locale.ROOT));
    }

    public static String normalize(String hex) {
        return hex.toLowerCase(Locale.ROOT);
    }
}
