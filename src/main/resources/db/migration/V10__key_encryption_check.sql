-- One row proving which BROKER_KEY_ENCRYPTION_KEY encrypted the owner secret keys: a known text
-- sealed with that key. A broker started with another key fails to open it and refuses to start,
-- instead of failing later on the first invite it issues.
CREATE TABLE IF NOT EXISTS mesh.key_encryption_check (
    id          integer PRIMARY KEY CHECK (id = 1),
    check_value text NOT NULL,
    created_at  timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE INDEX IF NOT EXISTS invite_mesh_created_idx
    ON mesh.invite (mesh_id, created_at);
