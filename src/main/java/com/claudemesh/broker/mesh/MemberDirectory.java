package com.claudemesh.broker.mesh;

import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.db.Reachability;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Read access to members for other packages: who may connect (A.3) and who receives (A.4).
 *
 * <p>Hellos and sends read the active members of a mesh from memory: each mesh's list is loaded at
 * most once per {@link #TTL} and dropped at once when this process revokes a member, archives the
 * mesh ({@link MemberRevoked}, {@link MeshArchived}) or enrols a member (after the commit). Another
 * broker process on the same database learns of those changes when its entry expires, so a member
 * revoked there is still accepted here for at most {@link #TTL}. A pubkey missing from the cached
 * list is always looked up in the database (never a cached "no"), so a member who just joined
 * anywhere can connect and receive direct messages at once; only broadcasts sent from another
 * process may miss it for at most {@link #TTL}.
 *
 * <p>A mesh is loaded by one caller at a time: when its entry has expired, concurrent hellos wait for
 * that one load instead of each reading every member of the mesh (with 10 000 members and a burst of
 * hellos, the parallel reloads were most of PostgreSQL's work).
 */
@Service
public class MemberDirectory {

    static final Duration TTL = Duration.ofSeconds(3);
    /** Bounds the memory: meshes beyond this evict expired entries first, then any. */
    static final int MAX_MESHES = 1_000;

    private static final RowMapper<Member> MEMBER = (rs, row) -> new Member(
            rs.getString("id"),
            rs.getString("mesh_id"),
            rs.getString("peer_pubkey"),
            rs.getString("display_name"),
            rs.getString("role"));

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Map<String, CachedMesh> meshes = new ConcurrentHashMap<>();
    /** The load of a mesh in progress, and the invalidation count it started at. */
    private final Map<String, Loading> loading = new ConcurrentHashMap<>();
    /** Counts invalidations, so a load that raced one is not stored (it may predate the change). */
    private final AtomicLong invalidations = new AtomicLong();

    private final Reachability reachability;

    MemberDirectory(JdbcClient jdbc, Clock clock, Reachability reachability) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.reachability = reachability;
    }

    private record CachedMesh(List<Member> members, Map<String, Member> byPubkey, Instant loadedAt) {}

    private record Loading(long invalidationsAtStart, CompletableFuture<CachedMesh> result) {}

    /** The non-revoked member of a non-archived mesh with this pubkey (lowercase hex). */
    public Optional<Member> findActive(String meshId, String pubkeyHex) {
        Member cached = cached(meshId).byPubkey().get(pubkeyHex);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Member> found = reachability.attempt(() -> findActiveInDatabase(meshId, pubkeyHex));
        if (found.isPresent()) {
            // Joined since the load (on another process): the next broadcast must include it.
            invalidate(meshId);
        }
        return found;
    }

    /**
     * {@link #findActive} read from the database in the caller's transaction, never from memory:
     * for the join, which must see a revocation or a concurrent join at once.
     */
    public Optional<Member> findActiveInDatabase(String meshId, String pubkeyHex) {
        return jdbc.sql("""
                        SELECT m.id, m.mesh_id, m.peer_pubkey, m.display_name, m.role::text AS role
                        FROM mesh.member m JOIN mesh.mesh h ON h.id = m.mesh_id
                        WHERE m.mesh_id = ? AND lower(m.peer_pubkey) = ? AND m.revoked_at IS NULL
                          AND h.archived_at IS NULL
                        ORDER BY m.joined_at
                        LIMIT 1
                        """).params(meshId, pubkeyHex).query(MEMBER).optional();
    }

    /** Every non-revoked member of a non-archived mesh, in join order. */
    public List<Member> activeMembers(String meshId) {
        return cached(meshId).members();
    }

    /** Whether a mesh row with this id exists (archived or not): audit events need one (FK). */
    public boolean meshExists(String meshId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM mesh.mesh WHERE id = ?)")
                .param(meshId)
                .query(Boolean.class)
                .single();
    }

    @EventListener
    void memberRevoked(MemberRevoked event) {
        invalidate(event.meshId());
    }

    @EventListener
    void meshArchived(MeshArchived event) {
        invalidate(event.meshId());
    }

    /** Forgets the mesh's members; call after the change committed. */
    void invalidate(String meshId) {
        invalidations.incrementAndGet();
        meshes.remove(meshId);
    }

    private CachedMesh cached(String meshId) {
        Instant now = clock.instant();
        CachedMesh entry = meshes.get(meshId);
        if (entry != null && now.isBefore(entry.loadedAt().plus(TTL))) {
            return entry;
        }
        // While the database does not answer, the members known a moment ago are the best there is
        // (no revocation can be written meanwhile either), and the sends that use them are answered
        // unavailable by their own commit; without them, the caller is answered at once instead of
        // after the pool's timeout, on a reader's thread. While the database answers, the TTL holds.
        try {
            return reachability.attempt(() -> reload(meshId, now));
        } catch (DataAccessException e) {
            if (entry == null || !GroupCommit.unavailable(e)) {
                throw e;
            }
            return entry;
        }
    }

    private CachedMesh reload(String meshId, Instant now) {
        long seen = invalidations.get();
        Loading mine = new Loading(seen, new CompletableFuture<>());
        Loading running = loading.putIfAbsent(meshId, mine);
        if (running != null) {
            // Joining a load that began before an invalidation could hand out a member revoked since.
            return running.invalidationsAtStart() == seen ? awaitLoad(running) : loadAndStore(meshId, seen, now);
        }
        try {
            CachedMesh loaded = loadAndStore(meshId, seen, now);
            mine.result().complete(loaded);
            return loaded;
        } catch (RuntimeException e) {
            mine.result().completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(meshId, mine);
        }
    }

    private static CachedMesh awaitLoad(Loading running) {
        try {
            return running.result().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Reads the mesh's members and stores them unless an invalidation raced the read. */
    private CachedMesh loadAndStore(String meshId, long seen, Instant now) {
        List<Member> members = List.copyOf(read(meshId));
        Map<String, Member> byPubkey = new HashMap<>();
        // Join order: the earliest member wins, as in findActiveInDatabase.
        members.forEach(m -> byPubkey.putIfAbsent(m.pubkey().toLowerCase(Locale.ROOT), m));
        CachedMesh loaded = new CachedMesh(members, Map.copyOf(byPubkey), now);
        if (meshes.size() >= MAX_MESHES) {
            meshes.values().removeIf(e -> !now.isBefore(e.loadedAt().plus(TTL)));
            if (meshes.size() >= MAX_MESHES) {
                meshes.keySet().stream().findAny().ifPresent(meshes::remove);
            }
        }
        // Atomic with invalidate's remove of the same key: either it sees the new count, or the
        // remove comes after and drops this entry.
        meshes.compute(meshId, (id, previous) -> invalidations.get() == seen ? loaded : previous);
        return loaded;
    }

    private List<Member> read(String meshId) {
        return jdbc.sql("""
                        SELECT m.id, m.mesh_id, m.peer_pubkey, m.display_name, m.role::text AS role
                        FROM mesh.member m JOIN mesh.mesh h ON h.id = m.mesh_id
                        WHERE m.mesh_id = ? AND m.revoked_at IS NULL AND h.archived_at IS NULL
                        ORDER BY m.joined_at, m.id
                        """).param(meshId).query(MEMBER).list();
    }
}
