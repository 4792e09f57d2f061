package com.claudemesh.broker.bench;

import com.claudemesh.broker.config.DatabaseUrl;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The meshes and members of one run, written straight into the broker's database (PROTOCOL Part
 * C), as the web app would have enrolled them. Ids carry a run id so that runs never collide.
 */
final class BenchMesh {

    /** One member of the run; {@code index} is its position in the run's member list. */
    record BenchMember(int index, String meshId, String memberId, BenchCrypto.MemberKeys keys) {}

    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");
    private static final int BATCH = 1000;

    private final String runId;
    private final List<String> meshIds;
    private final List<byte[]> meshKeys;
    private final List<BenchMember> members;

    private BenchMesh(String runId, List<String> meshIds, List<byte[]> meshKeys, List<BenchMember> members) {
        this.runId = runId;
        this.meshIds = meshIds;
        this.meshKeys = meshKeys;
        this.members = members;
    }

    /**
     * Creates {@code meshes} meshes and {@code count} members spread over them round-robin. Only a
     * database on this machine is accepted: the generator is a local benchmark tool.
     */
    static BenchMesh create(String databaseUrl, int meshes, int count, BenchCrypto crypto) throws SQLException {
        DatabaseUrl db = DatabaseUrl.parse(databaseUrl);
        requireLoopback(db.jdbcUrl());
        String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
        List<String> meshIds = new ArrayList<>();
        List<byte[]> meshKeys = new ArrayList<>();
        List<BenchMember> members = new ArrayList<>(count);
        for (int m = 0; m < meshes; m++) {
            meshIds.add("bench_" + runId + "_m" + m);
            meshKeys.add(crypto.randomKey());
        }
        for (int i = 0; i < count; i++) {
            members.add(new BenchMember(i, meshIds.get(i % meshes), "bench_" + runId + "_p" + i, crypto.generate()));
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            c.setAutoCommit(false);
            // Owner keys stay NULL: the broker's backfill gives a mesh its owner keypair, and the
            // generator never issues invites, so it writes no secret key into the database.
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO mesh.mesh (id, name, slug, root_key) VALUES (?, ?, ?, ?)")) {
                for (int m = 0; m < meshes; m++) {
                    s.setString(1, meshIds.get(m));
                    s.setString(2, "bench " + runId + " #" + m);
                    s.setString(3, meshIds.get(m).replace('_', '-'));
                    s.setString(4, Base64.getUrlEncoder().withoutPadding().encodeToString(meshKeys.get(m)));
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO mesh.member (id, mesh_id, peer_pubkey, display_name, role)
                    VALUES (?, ?, ?, ?, 'member')
                    """)) {
                for (BenchMember member : members) {
                    s.setString(1, member.memberId());
                    s.setString(2, member.meshId());
                    s.setString(3, member.keys().publicKeyHex());
                    s.setString(4, "bench-" + member.index());
                    s.addBatch();
                    if ((member.index() + 1) % BATCH == 0) {
                        s.executeBatch();
                    }
                }
                s.executeBatch();
            }
            c.commit();
        }
        return new BenchMesh(runId, List.copyOf(meshIds), List.copyOf(meshKeys), List.copyOf(members));
    }

    private static void requireLoopback(String jdbcUrl) {
        String host = URI.create(jdbcUrl.substring("jdbc:".length())).getHost();
        if (host == null || !LOOPBACK.contains(host)) {
            throw new IllegalArgumentException("the benchmark database must be on 127.0.0.1, got " + host);
        }
    }

    String runId() {
        return runId;
    }

    List<BenchMember> members() {
        return members;
    }

    /** The root key of the mesh a member belongs to (the broadcast key, see BenchCrypto#seal). */
    byte[] meshKey(String meshId) {
        return meshKeys.get(meshIds.indexOf(meshId));
    }
}
