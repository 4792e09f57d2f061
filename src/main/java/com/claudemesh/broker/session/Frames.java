package com.claudemesh.broker.session;

import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.crypto.Hex;
import com.claudemesh.broker.presence.HookToken;
import com.claudemesh.broker.presence.Presences;
import com.claudemesh.broker.presence.Status;
import com.claudemesh.broker.protocol.ClientText;
import com.claudemesh.broker.protocol.Priority;
import com.claudemesh.broker.routing.Push;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.charset.StandardCharsets;
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

    /**
     * A text frame as received, parsed and checked field by field, so that the connection answers it
     * with one {@code switch}. Nothing that breaks a rule of its frame gets past this point: every
     * string is well-formed Unicode, stored fields can be stored, opaque fields are base64 (A.4).
     */
    sealed interface Inbound {}

    /** A.3 hello with every field present, well-typed and well-formed. */
    record Hello(
            String meshId,
            String memberId,
            String pubkey,
            String sessionId,
            int pid,
            String cwd,
            long timestamp,
            String signature)
            implements Inbound {

        /** The text the member signed: {@code meshId|memberId|pubkey|timestamp}. */
        String canonical() {
            return meshId + "|" + memberId + "|" + pubkey + "|" + timestamp;
        }
    }

    /** A hello that fails A.3 check 1: a field missing, ill-typed, of the wrong hex length, or not storable text. */
    record BadHello() implements Inbound {}

    /** A.4 send that passed the frame rules; too_large, rate_limited and the target are the send handler's. */
    record Send(String id, String targetSpec, Priority priority, String nonce, String ciphertext) implements Inbound {}

    /** A send refused by the frame rules: {@code malformed} or {@code bad_priority}, echoing its id (A.4). */
    record BadSend(String code, String message, String id) implements Inbound {}

    /** A.8 {@code set_status} from the session itself. */
    record SetStatus(Status status) implements Inbound {}

    /** Answered {@code malformed}; the socket stays open (Part B). */
    record Malformed(String message) implements Inbound {}

    /** A JSON object with a well-formed string {@code type} this broker does not know. */
    record UnknownType() implements Inbound {}

    static final String HELLO_FIELDS =
            "hello needs meshId, memberId, pubkey, sessionId, pid, cwd, timestamp and signature with the right types";
    private static final String NOT_JSON = "frame is not a JSON object with a string type";
    private static final String ILL_FORMED = "frame holds text that is not well-formed Unicode (a lone surrogate)";
    private static final String SEND_FIELDS = "send needs a string targetSpec and priority, and nonce and ciphertext"
            + " as non-empty base64 (standard or URL-safe alphabet, padding optional)";

    /** A whole text message as Tomcat decoded it (strict UTF-8: the text itself is well-formed). */
    static Inbound parse(String text) {
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (JacksonException e) {
            return new Malformed(NOT_JSON);
        }
        if (body == null || !body.isObject() || !body.path("type").isString()) {
            return new Malformed(NOT_JSON);
        }
        boolean wellFormed = ClientText.wellFormed(text, body);
        return switch (body.get("type").stringValue()) {
            case "hello" -> wellFormed ? hello(body) : new BadHello();
            case "send" -> send(body, wellFormed);
            case "set_status" -> wellFormed ? setStatus(body) : new Malformed(ILL_FORMED);
            default -> wellFormed ? new UnknownType() : new Malformed(ILL_FORMED);
        };
    }

    private static Inbound hello(JsonNode body) {
        JsonNode pid = body.path("pid");
        JsonNode timestamp = body.path("timestamp");
        String pubkey = stored(body, "pubkey");
        String signature = stored(body, "signature");
        if (nonEmpty(stored(body, "meshId"))
                && nonEmpty(stored(body, "memberId"))
                && Hex.isHex(pubkey, Ed25519.PUBLIC_KEY_HEX)
                && stored(body, "sessionId") != null
                && pid.isIntegralNumber()
                && pid.canConvertToInt()
                && Presences.storableCwd(stored(body, "cwd"))
                && timestamp.isIntegralNumber()
                && timestamp.canConvertToLong()
                && Hex.isHex(signature, Ed25519.SIGNATURE_HEX)) {
            return new Hello(
                    stored(body, "meshId"),
                    stored(body, "memberId"),
                    pubkey,
                    stored(body, "sessionId"),
                    pid.intValue(),
                    stored(body, "cwd"),
                    timestamp.longValue(),
                    signature);
        }
        return new BadHello();
    }

    /**
     * The id is echoed as it came — a NUL or a lone surrogate included (JSON carries both as escapes,
     * {@link #json}); only an id that is not a string at all is echoed as the empty string.
     */
    private static Inbound send(JsonNode body, boolean wellFormed) {
        JsonNode idNode = body.get("id");
        String id = idNode != null && idNode.isString() ? idNode.stringValue() : "";
        String targetSpec = stored(body, "targetSpec");
        JsonNode priority = body.get("priority");
        String nonce = stored(body, "nonce");
        String ciphertext = stored(body, "ciphertext");
        if (!wellFormed) {
            return new BadSend("malformed", ILL_FORMED, id);
        }
        if (!nonEmpty(targetSpec)
                || priority == null
                || !priority.isString()
                || !ClientText.base64(nonce)
                || !ClientText.base64(ciphertext)) {
            return new BadSend("malformed", SEND_FIELDS, id);
        }
        return Priority.fromWire(priority.stringValue())
                .<Inbound>map(known -> new Send(id, targetSpec, known, nonce, ciphertext))
                .orElseGet(() -> new BadSend("bad_priority", "priority must be now, next or low", id));
    }

    private static Inbound setStatus(JsonNode body) {
        JsonNode value = body.path("status");
        return (value.isString() ? Status.fromWire(value.stringValue()) : Optional.<Status>empty())
                .<Inbound>map(SetStatus::new)
                .orElseGet(() -> new Malformed("status must be idle, working or dnd"));
    }

    // ---- broker → client ----

    /**
     * A.3's ack, plus {@code hookToken} (docs/status-model.md, "Who may call the hook"): the
     * credential of this session's hook calls, a field v1 clients ignore.
     */
    @JsonPropertyOrder({"type", "presenceId", "memberDisplayName", "hookToken"})
    record HelloAck(String type, String presenceId, String memberDisplayName, String hookToken) {
        HelloAck(String presenceId, String memberDisplayName, HookToken hookToken) {
            this("hello_ack", presenceId, memberDisplayName, hookToken.value());
        }

        @Override
        public String toString() {
            return "HelloAck[" + presenceId + "]";
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
                    push.priority().wire(),
                    push.nonce(),
                    push.ciphertext(),
                    CREATED_AT.format(push.createdAt()));
        }
    }

    /**
     * The JSON text of a frame, always encodable as UTF-8. Client text is checked on the way in, but a
     * refusal echoes the client's id as it came, so a lone surrogate may reach here: then the frame is
     * written again through the UTF-8 generator, which writes it as a JSON escape (backslash, u, four hex digits).
     */
    static String json(Object frame) {
        String text = JSON.writeValueAsString(frame);
        return ClientText.wellFormed(text) ? text : new String(JSON.writeValueAsBytes(frame), StandardCharsets.UTF_8);
    }

    /** A string field that a PostgreSQL text column can hold (no NUL); anything else counts as missing. */
    private static String stored(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && value.isString() && value.stringValue().indexOf('\0') < 0 ? value.stringValue() : null;
    }

    private static boolean nonEmpty(String value) {
        return value != null && !value.isEmpty();
    }
}
