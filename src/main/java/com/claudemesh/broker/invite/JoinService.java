package com.claudemesh.broker.invite;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.crypto.Hex;
import com.claudemesh.broker.db.LoggableFailure;
import com.claudemesh.broker.mesh.JoinableMesh;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.mesh.MemberDirectory;
import com.claudemesh.broker.mesh.MemberEnrolment;
import com.claudemesh.broker.mesh.Meshes;
import com.claudemesh.broker.protocol.ClientText;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** {@code POST /join} (PROTOCOL A.10): every check in the protocol's order, first failure wins. */
@Service
class JoinService {

    static final String FIELDS_REQUIRED = "invite_token, invite_payload, peer_pubkey, display_name required";
    static final String BAD_PUBKEY = "peer_pubkey must be 64 hex chars (32 bytes)";
    static final String BAD_DISPLAY_NAME = "display_name must be well-formed Unicode text without NUL characters";

    private static final Logger log = LoggerFactory.getLogger(JoinService.class);

    private final Meshes meshes;
    private final MemberDirectory directory;
    private final MemberEnrolment enrolment;
    private final InviteStore invites;
    private final Ed25519 ed25519;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;

    JoinService(
            Meshes meshes,
            MemberDirectory directory,
            MemberEnrolment enrolment,
            InviteStore invites,
            Ed25519 ed25519,
            AuditLog audit,
            TransactionTemplate tx,
            Clock clock) {
        this.meshes = meshes;
        this.directory = directory;
        this.enrolment = enrolment;
        this.invites = invites;
        this.ed25519 = ed25519;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    /** The reply to a parsed request body: {@code ok} on success, else the first failing check's code. */
    JoinReply join(JsonNode body) {
        String token = nonEmptyText(body, "invite_token");
        JsonNode payload = body == null ? null : body.get("invite_payload");
        JsonNode pubkeyNode = body == null ? null : body.get("peer_pubkey");
        String displayName = nonEmptyText(body, "display_name");
        if (token == null
                || payload == null
                || !payload.isObject()
                || pubkeyNode == null
                || pubkeyNode.isNull()
                || (pubkeyNode.isString() && pubkeyNode.asString().isEmpty())
                || displayName == null) {
            return JoinReply.error(FIELDS_REQUIRED);
        }
        if (!pubkeyNode.isString() || !Hex.isHex(pubkeyNode.asString(), Ed25519.PUBLIC_KEY_HEX)) {
            return JoinReply.error(BAD_PUBKEY);
        }
        if (!ClientText.storable(displayName)) {
            // Written back in every hello_ack and admin view: it must be text anyone can be sent.
            return JoinReply.error(BAD_DISPLAY_NAME);
        }
        String pubkey = Hex.normalize(pubkeyNode.asString());

        Optional<String> canonical = canonicalOf(payload);
        String signature = textOf(payload.get("signature")).orElse(null);
        String payloadOwner = textOf(payload.get("owner_pubkey")).orElse(null);
        if (canonical.isEmpty() || !ed25519.verify(canonical.get(), signature, payloadOwner)) {
            return JoinReply.error("invite_bad_signature");
        }
        String meshId = textOf(payload.get("mesh_id")).orElseThrow();
        // PostgreSQL text cannot hold NUL: no mesh or invite has such an id, none is looked up.
        Optional<JoinableMesh> mesh = ClientText.storable(meshId) ? meshes.findJoinable(meshId) : Optional.empty();
        if (mesh.isEmpty()) {
            return JoinReply.error("mesh_not_found");
        }
        if (mesh.get().ownerPubkey() == null) {
            return JoinReply.error("mesh_missing_owner_key");
        }
        if (!Hex.normalize(payloadOwner).equals(Hex.normalize(mesh.get().ownerPubkey()))) {
            return JoinReply.error("invite_owner_mismatch");
        }
        Optional<InviteRow> found = ClientText.storable(token) ? invites.findByToken(token) : Optional.empty();
        if (found.isEmpty()) {
            return JoinReply.error("invite_not_found");
        }
        InviteRow invite = found.get();
        if (!invite.meshId().equals(meshId)) {
            return JoinReply.error("invite_mesh_mismatch");
        }
        if (invite.revokedAt() != null) {
            return JoinReply.error("invite_revoked");
        }
        Instant now = clock.instant();
        if (!now.isBefore(invite.expiresAt())) {
            return JoinReply.error("invite_expired");
        }
        return tx.execute(status -> enrol(invite, pubkey, displayName, now, status));
    }

    private JoinReply enrol(
            InviteRow invite, String pubkey, String displayName, Instant now, TransactionStatus status) {
        // Serialises joins of one pubkey to one mesh, so a retried join can never enrol it twice.
        invites.lockJoinsOf(invite.meshId(), pubkey);
        Optional<Member> existing = directory.findActiveInDatabase(invite.meshId(), pubkey);
        if (existing.isPresent()) {
            return JoinReply.alreadyMember(existing.get().id());
        }
        if (!invites.claimUse(invite.id(), now)) {
            return JoinReply.error("invite_exhausted");
        }
        String memberId;
        try {
            memberId = enrolment.enrol(invite.meshId(), pubkey, displayName, invite.role());
        } catch (DataAccessException e) {
            status.setRollbackOnly();
            log.atWarn()
                    .addKeyValue("mesh_id", invite.meshId())
                    .addKeyValue("route", "/join")
                    .log("Member insert failed: {}", LoggableFailure.describe(e));
            return JoinReply.error("member_insert_failed");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("invite_id", invite.id());
        metadata.put("role", invite.role());
        metadata.put("key_prefix", pubkey.substring(0, 12));
        audit.record(invite.meshId(), "member_joined", memberId, memberId, metadata);
        log.atInfo()
                .addKeyValue("mesh_id", invite.meshId())
                .addKeyValue("member_id", memberId)
                .addKeyValue("route", "/join")
                .log("Member {}… joined as {}", pubkey.substring(0, 12), invite.role());
        return JoinReply.joined(memberId);
    }

    /** The canonical text of a received payload, or empty when a signed field is missing or ill-typed. */
    static Optional<String> canonicalOf(JsonNode payload) {
        StringBuilder canonical = new StringBuilder(256);
        String[] fields = {
            "v", "mesh_id", "mesh_slug", "broker_url", "expires_at", "mesh_root_key", "role", "owner_pubkey"
        };
        for (String field : fields) {
            Optional<String> value = textOf(payload.get(field));
            if (value.isEmpty()) {
                return Optional.empty();
            }
            if (!canonical.isEmpty()) {
                canonical.append('|');
            }
            canonical.append(value.get());
        }
        return Optional.of(canonical.toString());
    }

    /** A field as JavaScript's template string would print it: strings as they are, integers in decimal. */
    private static Optional<String> textOf(JsonNode node) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isString()) {
            return Optional.of(node.asString());
        }
        if (node.isIntegralNumber()) {
            return Optional.of(node.bigIntegerValue().toString());
        }
        if (node.isNumber()
                && node.doubleValue() == Math.rint(node.doubleValue())
                && Math.abs(node.doubleValue()) < 1e15) {
            return Optional.of(Long.toString((long) node.doubleValue()));
        }
        return Optional.empty();
    }

    private static String nonEmptyText(JsonNode body, String field) {
        JsonNode node = body == null ? null : body.get(field);
        return node != null && node.isString() && !node.asString().isEmpty() ? node.asString() : null;
    }
}
