package com.claudemesh.broker.mesh;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.keys.MeshKeyFactory;
import com.claudemesh.broker.keys.OwnerKeyCipher;
import com.claudemesh.broker.mesh.MeshViews.CreateMeshRequest;
import com.claudemesh.broker.mesh.MeshViews.MeshCreated;
import com.claudemesh.broker.mesh.MeshViews.MeshView;
import com.claudemesh.broker.protocol.ClientText;
import com.claudemesh.broker.refusal.InvalidRequest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Creating, listing and archiving meshes for the admin API. */
@Service
class MeshAdministration {

    private static final Pattern SLUG = Pattern.compile("[a-z0-9-]{3,48}");
    private static final int MAX_NAME = 200;
    private static final String FOREIGN_KEY_VIOLATION = "23503";
    private static final Set<String> VISIBILITIES = Set.of("private", "public");
    private static final Set<String> TRANSPORTS = Set.of("managed", "tailscale", "self_hosted");

    private final MeshStore meshes;
    private final MemberStore members;
    private final MeshKeyFactory keys;
    private final OwnerKeyCipher cipher;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    MeshAdministration(
            MeshStore meshes,
            MemberStore members,
            MeshKeyFactory keys,
            OwnerKeyCipher cipher,
            AuditLog audit,
            TransactionTemplate tx,
            ApplicationEventPublisher events,
            Clock clock) {
        this.meshes = meshes;
        this.members = members;
        this.keys = keys;
        this.cipher = cipher;
        this.audit = audit;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
    }

    MeshCreated create(CreateMeshRequest request) {
        String name = request.name() == null ? "" : request.name().trim();
        if (name.isEmpty() || name.length() > MAX_NAME || !ClientText.storable(name)) {
            throw new InvalidRequest(
                    "invalid_name",
                    "name is required: at most " + MAX_NAME
                            + " characters of well-formed Unicode text without NUL characters");
        }
        if (request.ownerUserId() != null && !ClientText.storable(request.ownerUserId())) {
            throw new InvalidRequest(
                    "invalid_owner_user_id", "ownerUserId must be well-formed Unicode text without NUL characters");
        }
        String slug = request.slug();
        if (slug == null || !SLUG.matcher(slug).matches()) {
            throw new InvalidRequest(
                    "invalid_slug", "slug must be 3 to 48 characters of lowercase letters, digits and '-'");
        }
        String visibility = request.visibility() == null ? "private" : request.visibility();
        if (!VISIBILITIES.contains(visibility)) {
            throw new InvalidRequest("invalid_visibility", "visibility must be private or public");
        }
        String transport = request.transport() == null ? "managed" : request.transport();
        if (!TRANSPORTS.contains(transport)) {
            throw new InvalidRequest("invalid_transport", "transport must be managed, tailscale or self_hosted");
        }
        if (request.maxPeers() != null && request.maxPeers() < 1) {
            throw new InvalidRequest("invalid_max_peers", "maxPeers must be a positive integer");
        }
        String id = UUID.randomUUID().toString();
        Ed25519.KeyPair owner = keys.ownerKeyPair();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        MeshRow row = new MeshRow(
                id,
                name,
                slug,
                blankToNull(request.ownerUserId()),
                visibility,
                transport,
                request.maxPeers(),
                "free",
                owner.publicKeyHex(),
                cipher.protect(id, owner.secretKeyHex()),
                keys.rootKey(),
                now,
                null);
        try {
            tx.executeWithoutResult(status -> {
                if (!meshes.insert(row)) {
                    throw new SlugTaken(slug);
                }
                Map<String, Object> metadata = new LinkedHashMap<>();
                metadata.put("slug", slug);
                metadata.put("visibility", visibility);
                metadata.put("transport", transport);
                metadata.put("owner_key_prefix", owner.publicKeyHex().substring(0, 12));
                metadata.put("via", "admin_api");
                audit.record(id, "mesh_created", null, null, metadata);
            });
        } catch (DataIntegrityViolationException e) {
            // The only foreign key on the row: owner_user_id → public."user" in a claudemesh database.
            if (e.getMostSpecificCause() instanceof SQLException sql
                    && FOREIGN_KEY_VIOLATION.equals(sql.getSQLState())) {
                throw new InvalidRequest(
                        "owner_user_not_found", "ownerUserId does not name a user of this claudemesh database");
            }
            throw e;
        }
        return new MeshCreated(id, name, slug, owner.publicKeyHex(), now);
    }

    List<MeshView> list() {
        Map<String, Long> counts = members.activeCounts();
        return meshes.all().stream()
                .map(row -> MeshView.of(row, counts.getOrDefault(row.id(), 0L)))
                .toList();
    }

    MeshView get(String meshId) {
        MeshRow row = require(meshId);
        return MeshView.of(row, members.activeCount(meshId));
    }

    /** Archives the mesh (idempotent); its live sessions are closed by listeners of {@link MeshArchived}. */
    MeshView archive(String meshId) {
        boolean changed = Boolean.TRUE.equals(tx.execute(status -> {
            require(meshId);
            if (!meshes.archive(meshId, clock.instant())) {
                return false;
            }
            audit.record(meshId, "mesh_archived", null, null, Map.of("via", "admin_api"));
            return true;
        }));
        if (changed) {
            events.publishEvent(new MeshArchived(meshId));
        }
        return get(meshId);
    }

    private MeshRow require(String meshId) {
        return meshes.find(meshId).orElseThrow(() -> new MeshNotFound(meshId));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
