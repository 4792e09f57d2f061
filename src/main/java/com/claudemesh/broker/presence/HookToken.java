package com.claudemesh.broker.presence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The credential of one session's hook calls (docs/status-model.md, "Who may call the hook"): 32
 * random bytes as unpadded base64url, sent once in the session's {@code hello_ack}. The broker keeps
 * only its SHA-256 — a token cannot be read back from the database — and never logs it.
 */
public record HookToken(String value) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static HookToken random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new HookToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** What the database holds for a token as a hook call presents it. */
    static byte[] hash(String presented) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(presented.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    byte[] hash() {
        return hash(value);
    }

    @Override
    public String toString() {
        return "HookToken[redacted]";
    }
}
