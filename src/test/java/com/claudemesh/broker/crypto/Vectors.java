package com.claudemesh.broker.crypto;

import com.goterl.lazysodium.LazySodiumJava;
import com.goterl.lazysodium.SodiumJava;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The shared libsodium vectors ({@code claudemesh-v1.json}) and a libsodium binding for unit tests. */
public final class Vectors {

    private static final JsonNode ROOT = load();
    private static final LazySodiumJava SODIUM = new LazySodiumJava(new SodiumJava());

    private Vectors() {}

    public static JsonNode root() {
        return ROOT;
    }

    public static String text(String... path) {
        JsonNode node = ROOT;
        for (String step : path) {
            node = node.get(step);
        }
        return node.asString();
    }

    public static LazySodiumJava sodium() {
        return SODIUM;
    }

    public static Ed25519 ed25519() {
        return new Ed25519(SODIUM);
    }

    private static JsonNode load() {
        try (InputStream in = Vectors.class.getResourceAsStream("/claudemesh-v1.json")) {
            return JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
