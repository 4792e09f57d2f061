package com.claudemesh.broker.session;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.crypto.Hex;
import com.claudemesh.broker.routing.Push;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every frame of the v1 protocol (PROTOCOL A.3–A.5, A.8, Part B errors) and their JSON form. */
final class Frames {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A.2: ISO-8601 UTC with exactly three fraction digits, e.g. 2026-04-05T16:01:22.123Z. */
    private static final DateTimeFormatter CREATED_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Frames() {}

    // ---- client → broker ----

    /** A text frame as received: its {@code type} and body, or not a JSON object with a string type. */
    sealed interface Inbound {}

    record Typed(String type, JsonNode body) implements Inbound {}

    record Unparseable() implements Inbound {}

    static Inbound parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && node.isObject() && node.path("type").isString()) {
                return new Typed(node.get("type").stringValue(), node);
            }
        } catch (JacksonException e) {
            // falls through: not JSON
        }
        return new Unparseable();
    }

    /** A.3 hello with every field present and well-typed. */
    record Hello(
            String meshId,
            String memberId,
            String pubkey,
            String sessionId,
            int pid,
            String cwd,
            long timestamp,
            String signature) {

        /** The text the member signed: {@code meshId|memberId|pubkey|timestamp}. */
        String canonical() {
            return meshId + "|" + memberId + "|" + pubkey + "|" + timestamp;
        }

        static Optional<Hello> from(JsonNode body) {
            JsonNode pid = body.path("pid");
            JsonNode timestamp = body.path("timestamp");
            String pubkey = string(body, "pubkey");
            String signature = string(body, "signature");
            if (nonEmpty(string(body, "meshId"))
                    && nonEmpty(string(body, "memberId"))
                    && Hex.isHex(pubkey, Ed25519.PUBLIC_KEY_HEX)
                    && string(body, "sessionId") != null
                    && pid.isIntegralNumber()
                    && pid.canConvertToInt()
                    && string(body, "cwd") != null
                    && timestamp.isIntegralNumber()
                    && timestamp.canConvertToLong()
                    && Hex.isHex(signature, Ed25519.SIGNATURE_HEX)) {
                return Optional.of(new Hello(
                        string(body, "meshId"),
                        string(body, "memberId"),
                        pubkey,
                        string(body, "sessionId"),
                        pid.intValue(),
                        string(body, "cwd"),
                        timestamp.longValue(),
                        signature));
            }
            return Optional.empty();
        }
    }

    /** A.4 send; fields are checked by the send handler in the order of its refusals. */
    record Send(String id, String targetSpec, String priority, String nonce, String ciphertext) {

        static Send from(JsonNode body) {
            String id = string(body, "id");
            return new Send(
                    id == null ? "" : id,
                    string(body, "targetSpec"),
                    string(body, "priority"),
                    string(body, "nonce"),
                    string(body, "ciphertext"));
        }

        boolean complete() {
            return nonEmpty(targetSpec) && priority != null && nonEmpty(nonce) && nonEmpty(ciphertext);
        }
    }

    // ---- broker → client ----

    @JsonPropertyOrder({"type", "presenceId", "memberDisplayName"})
    record HelloAck(String type, String presenceId, String memberDisplayName) {
        HelloAck(String presenceId, String memberDisplayName) {
            this("hello_ack", presenceId, memberDisplayName);
        }
    }

    @JsonPropertyOrder({"type", "id", "messageId", "queued"})
    record Ack(String type, String id, String messageId, boolean queued) {
        Ack(String id, String messageId) {
            this("ack", id, messageId, true);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "code", "message", "id"})
    record Error(String type, String code, String message, String id) {
        Error(String code, String message) {
            this("error", code, message, null);
        }

        Error(String code, String message, String id) {
            this("error", code, message, id);
        }
    }

    @JsonPropertyOrder({"type", "messageId", "meshId", "senderPubkey", "priority", "nonce", "ciphertext", "createdAt"})
    record PushFrame(
            String type,
            String messageId,
            String meshId,
            String senderPubkey,
            String priority,
            String nonce,
            String ciphertext,
            String createdAt) {
        PushFrame(Push push) {
            this(
                    "push",
                    push.messageId(),
                    push.meshId(),
                    push.senderPubkey(),
                    push.priority(),
                    push.nonce(),
                    push.ciphertext(),
                    CREATED_AT.format(push.createdAt()));
        }
    }

    static String json(Object frame) {
        return JSON.writeValueAsString(frame);
    }

    private static String string(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    private static boolean nonEmpty(String value) {
        return value != null && !value.isEmpty();
    }
}
