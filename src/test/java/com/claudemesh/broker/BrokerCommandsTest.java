package com.claudemesh.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.crypto.Vectors;
import com.claudemesh.broker.support.StandaloneBroker;
import com.claudemesh.broker.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one-shot commands {@code --backfill-keys} and {@code --reencrypt-keys}: print a count, exit 0. */
class BrokerCommandsTest {

    private static final String KEY = "5f".repeat(32);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private TestDatabase.Endpoint db;

    @BeforeEach
    void database() throws Exception {
        db = StandaloneBroker.newDatabase();
        // Flyway creates the schema on the first command; the rows go in afterwards.
    }

    @AfterEach
    void dropDatabase() throws Exception {
        StandaloneBroker.drop(db);
    }

    @Test
    void backfillKeysPrintsHowManyMeshesItUpdatedAndExitsZero() throws Exception {
        assertThat(run("--backfill-keys")).isZero();
        execute("INSERT INTO mesh.mesh (id, name, slug) VALUES ('a', 'A', 'aaa'), ('b', 'B', 'bbb')");
        out.reset();

        int first = run("--backfill-keys");
        String firstOut = out.toString(StandardCharsets.UTF_8);
        out.reset();
        int second = run("--backfill-keys");

        assertThat(first).isZero();
        assertThat(firstOut).contains("backfill-keys: updated 2 mesh row(s)");
        assertThat(second).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("backfill-keys: updated 0 mesh row(s)");
        assertThat(query("SELECT count(*) FROM mesh.mesh WHERE owner_pubkey IS NULL OR root_key IS NULL"))
                .isEqualTo("0");
    }

    @Test
    void reencryptKeysSealsPlaintextRowsOnceAndNeedsAKey() throws Exception {
        assertThat(run("--backfill-keys")).isZero();
        execute("INSERT INTO mesh.mesh (id, name, slug, owner_pubkey, owner_secret_key, root_key) VALUES ('web', 'Web',"
                + " 'web-mesh', '" + Vectors.text("keys", "owner", "publicKeyHex") + "', '"
                + Vectors.text("keys", "owner", "secretKeyHex") + "', 'BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ')");
        out.reset();

        int withoutKey = run("--reencrypt-keys");
        int first = run("--reencrypt-keys", "broker.key-encryption-key=" + KEY);
        String firstOut = out.toString(StandardCharsets.UTF_8);
        out.reset();
        int second = run("--reencrypt-keys", "broker.key-encryption-key=" + KEY);

        assertThat(withoutKey).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("BROKER_KEY_ENCRYPTION_KEY is not set");
        assertThat(first).isZero();
        assertThat(firstOut).contains("reencrypt-keys: updated 1 mesh row(s)");
        assertThat(second).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("reencrypt-keys: updated 0 mesh row(s)");
        assertThat(query("SELECT owner_secret_key FROM mesh.mesh WHERE id = 'web'"))
                .startsWith("enc:v1:");
        assertThat(run("--reencrypt-keys", "broker.key-encryption-key=" + "a0".repeat(32)))
                .isEqualTo(1);
    }

    private int run(String command, String... settings) {
        String[] args = StandaloneBroker.arguments(db, settings);
        String[] withCommand = new String[args.length + 1];
        System.arraycopy(args, 0, withCommand, 0, args.length);
        withCommand[args.length] = command;
        return BrokerApplication.runCommand(
                command,
                withCommand,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String query(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
