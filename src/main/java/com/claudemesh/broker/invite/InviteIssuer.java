package com.claudemesh.broker.invite;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.invite.InviteViews.CreateInviteRequest;
import com.claudemesh.broker.invite.InviteViews.InviteCreated;
import com.claudemesh.broker.keys.MeshSigningKeys;
import com.claudemesh.broker.mesh.Meshes;
import com.claudemesh.broker.refusal.InvalidRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Issues signed invites (PROTOCOL A.10, A.11) for the admin API. */
@Service
class InviteIssuer {

    static final int MAX_USES_LIMIT = 1000;
    static final long MIN_EXPIRES_IN = 60;
    static final long MAX_EXPIRES_IN = 90L * 24 * 3600;
    static final long DEFAULT_EXPIRES_IN = 7L * 24 * 3600;
    /** Far more one-second steps than invites a mesh could issue for one expiry second. */
    private static final int MAX_TOKEN_ATTEMPTS = 1000;

    private static final Logger log = LoggerFactory.getLogger(InviteIssuer.class);
    private static final Set<String> ROLES = Set.of("member", "admin");

    private final Meshes meshes;
    private final InviteStore invites;
    private final Ed25519 ed25519;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final Clock clock;
    private final String brokerUrl;

    InviteIssuer(
            Meshes meshes,
            InviteStore invites,
            Ed25519 ed25519,
            AuditLog audit,
            TransactionTemplate tx,
            JsonMapper json,
            Clock clock,
            BrokerProperties properties) {
        this.meshes = meshes;
        this.invites = invites;
        this.ed25519 = ed25519;
        this.audit = audit;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
        this.brokerUrl = properties.publicUrlIfSet().orElse("ws://localhost:" + properties.port() + "/ws");
        if (properties.publicUrlIfSet().isEmpty()) {
            log.warn(
                    "BROKER_PUBLIC_URL is not set: invites name {} as the broker, which only works on this machine;"
                            + " set it to the wss:// URL peers reach, e.g. wss://broker.example.com/ws",
                    brokerUrl);
        }
    }

    InviteCreated issue(String meshId, CreateInviteRequest request) {
        String role = request.role() == null ? "member" : request.role();
        if (!ROLES.contains(role)) {
            throw new InvalidRequest("invalid_role", "role must be member or admin");
        }
        int maxUses = request.maxUses() == null ? 1 : request.maxUses();
        if (maxUses < 1 || maxUses > MAX_USES_LIMIT) {
            throw new InvalidRequest("invalid_max_uses", "maxUses must be between 1 and " + MAX_USES_LIMIT);
        }
        long expiresIn = request.expiresInSeconds() == null ? DEFAULT_EXPIRES_IN : request.expiresInSeconds();
        if (expiresIn < MIN_EXPIRES_IN || expiresIn > MAX_EXPIRES_IN) {
            throw new InvalidRequest(
                    "invalid_expires_in",
                    "expiresInSeconds must be between " + MIN_EXPIRES_IN + " and " + MAX_EXPIRES_IN);
        }
        MeshSigningKeys keys = meshes.signingKeys(meshId);
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        InviteFields fields = new InviteFields(
                InviteFields.VERSION,
                keys.meshId(),
                keys.slug(),
                brokerUrl,
                now.getEpochSecond() + expiresIn,
                keys.rootKey(),
                role,
                keys.ownerPubkey());
        SignedInvite invite = tx.execute(status -> store(id, fields, keys, maxUses, now));
        return new InviteCreated(
                id,
                invite.token(),
                invite.link(),
                json.readTree(invite.payloadJson()),
                Instant.ofEpochSecond(invite.fields().expiresAt()),
                maxUses,
                role);
    }

    /** A.11: a token that exists already moves expires_at forward one second, re-signed, until it is new. */
    private SignedInvite store(String id, InviteFields first, MeshSigningKeys keys, int maxUses, Instant now) {
        InviteFields fields = first;
        for (int attempt = 0; attempt < MAX_TOKEN_ATTEMPTS; attempt++) {
            SignedInvite invite = fields.sign(ed25519, keys.ownerSecretKeyHex());
            if (invites.insertIfTokenIsNew(
                    id,
                    fields.meshId(),
                    invite.token(),
                    fields.canonical(),
                    maxUses,
                    fields.role(),
                    Instant.ofEpochSecond(fields.expiresAt()),
                    now)) {
                Map<String, Object> metadata = new LinkedHashMap<>();
                metadata.put("invite_id", id);
                metadata.put("role", fields.role());
                metadata.put("max_uses", maxUses);
                metadata.put("expires_at", fields.expiresAt());
                metadata.put("via", "admin_api");
                audit.record(fields.meshId(), "invite_created", null, null, metadata);
                return invite;
            }
            fields = fields.withExpiresAt(fields.expiresAt() + 1);
        }
        throw new IllegalStateException("no unique invite token after " + MAX_TOKEN_ATTEMPTS + " expiry steps");
    }
}
