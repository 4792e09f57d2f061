package com.claudemesh.broker.crypto;

import java.util.HexFormat;
import java.util.Locale;

/** Hex as PROTOCOL A.2 uses it: accepted in either case, produced lowercase. */
public final class Hex {

    private static final HexFormat LOWER = HexFormat.of();

    private Hex() {}

    /**
     * Whether {@code value} is exactly {@code chars} hex digits (either case): ASCII {@code 0-9},
     * {@code a-f}, {@code A-F} only. ({@code Character.digit} also takes Arabic-Indic, Devanagari,
     * fullwidth and other Unicode digits, which {@link #decode} then refuses — or which would be
     * stored as a "pubkey" no key matches.)
     */
    public static boolean isHex(String value, int chars) {
        if (value == null || value.length() != chars) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
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
