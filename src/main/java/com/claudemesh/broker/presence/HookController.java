package com.claudemesh.broker.presence;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.db.LoggableFailure;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.ops.ClientAddress;
import com.claudemesh.broker.protocol.ClientText;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /hook/set-status} (PROTOCOL A.9), called by Claude Code hook scripts on every turn. */
@RestController
class HookController {

    private static final Logger log = LoggerFactory.getLogger(HookController.class);

    private final HookStatuses hooks;
    private final HookAccess access;
    private final ClientAddress clientAddress;
    private final HookRateLimiter rateLimiter;
    private final BrokerMetrics metrics;
    private final JsonMapper json;
    private final int maxBytes;

    HookController(
            HookStatuses hooks,
            HookAccess access,
            ClientAddress clientAddress,
            HookRateLimiter rateLimiter,
            BrokerMetrics metrics,
            JsonMapper json,
            BrokerProperties properties) {
        this.hooks = hooks;
        this.access = access;
        this.clientAddress = clientAddress;
        this.rateLimiter = rateLimiter;
        this.metrics = metrics;
        this.json = json;
        this.maxBytes = properties.maxMessageBytes();
    }

    @PostMapping("/hook/set-status")
    ResponseEntity<Map<String, Object>> setStatus(HttpServletRequest request) throws IOException {
        metrics.hookRequest();
        byte[] body = readAtMost(request);
        if (body == null) {
            return error(HttpStatus.CONTENT_TOO_LARGE, "payload too large");
        }
        HookRequest hook;
        try {
            hook = HookRequest.parse(json.readTree(body));
        } catch (JacksonException e) {
            return error(HttpStatus.BAD_REQUEST, "body must be a JSON object");
        } catch (HookRequest.Invalid e) {
            return error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        HookAccess.Verdict verdict = access.decide(hook.token() != null, clientAddress.of(request));
        if (verdict == HookAccess.Verdict.TOKEN_REQUIRED || verdict == HookAccess.Verdict.ADDRESS_NOT_ALLOWED) {
            metrics.hookRefused(verdict.reason());
            return error(HttpStatus.FORBIDDEN, verdict.message());
        }
        if (!rateLimiter.tryAcquire(hook.pid(), hook.cwd())) {
            metrics.hookRateLimited();
            return error(HttpStatus.TOO_MANY_REQUESTS, "rate limited");
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ok", true);
        if (verdict == HookAccess.Verdict.BY_TOKEN) {
            Optional<String> presenceId = hooks.applyByToken(hook.token(), hook.status());
            if (presenceId.isEmpty()) {
                metrics.hookRefused("bad_token");
                return error(HttpStatus.FORBIDDEN, "the hook token belongs to no live session");
            }
            reply.put("presence_id", presenceId.get());
        } else {
            hooks.apply(hook.pid(), hook.cwd(), hook.status())
                    .presenceId()
                    .ifPresentOrElse(id -> reply.put("presence_id", id), () -> reply.put("pending", true));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(reply);
    }

    /** Hook scripts parse the body whatever the status; a database outage is no exception to that. */
    @ExceptionHandler(DataAccessException.class)
    ResponseEntity<Map<String, Object>> databaseUnavailable(DataAccessException e) {
        log.warn("Hook status not stored: {}", LoggableFailure.describe(e));
        return error(HttpStatus.SERVICE_UNAVAILABLE, "database unavailable");
    }

    /** The body, or null when it is larger than MAX_MESSAGE_BYTES; never reads more than one byte past it. */
    private byte[] readAtMost(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > maxBytes) {
            return null;
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            return body.length > maxBytes ? null : body;
        }
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ok", false);
        reply.put("error", message);
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_JSON)
                .body(reply);
    }

    /**
     * The fields of a hook call, validated. {@code pid}, {@code session_id} and {@code token} (the
     * session's hook token, from its {@code hello_ack}) are optional.
     */
    record HookRequest(String cwd, Status status, Integer pid, String token) {

        static final class Invalid extends Exception {
            Invalid(String message) {
                super(message, null, false, false);
            }
        }

        static HookRequest parse(JsonNode body) throws Invalid {
            if (body == null || !body.isObject()) {
                throw new Invalid("body must be a JSON object");
            }
            JsonNode cwd = body.get("cwd");
            JsonNode status = body.get("status");
            if (cwd == null || !cwd.isString() || cwd.asString().isEmpty() || status == null || !status.isString()) {
                throw new Invalid("cwd and status required");
            }
            if (!Presences.storableCwd(cwd.asString())) {
                throw new Invalid(
                        ClientText.storable(cwd.asString())
                                ? "cwd must be at most " + Presences.MAX_CWD_BYTES + " bytes"
                                : "cwd must be well-formed Unicode text without NUL characters");
            }
            Status parsed = Status.fromWire(status.asString())
                    .orElseThrow(() -> new Invalid("status must be one of idle, working, dnd"));
            JsonNode token = body.get("token");
            if (token != null && !token.isNull() && !token.isString()) {
                throw new Invalid("token must be a string");
            }
            return new HookRequest(
                    cwd.asString(),
                    parsed,
                    pid(body.get("pid")),
                    token == null || token.isNull() ? null : token.asString());
        }

        /** Hook scripts built with shell variables may send the pid as a string of digits. */
        private static Integer pid(JsonNode pid) throws Invalid {
            if (pid == null || pid.isNull()) {
                return null;
            }
            if (pid.isIntegralNumber() && pid.canConvertToInt()) {
                return pid.intValue();
            }
            if (pid.isString() && pid.asString().matches("\\d{1,9}")) {
                return Integer.valueOf(pid.asString());
            }
            throw new Invalid("pid must be an integer");
        }
    }
}
