-- Hook tokens (docs/status-model.md, "Who may call the hook"): each session gets a token in its
-- hello_ack; a hook call carrying it sets the status of that session only, from any address. Only
-- the token's SHA-256 is stored. Presences written by the claudemesh web app keep NULL.
ALTER TABLE mesh.presence ADD COLUMN IF NOT EXISTS hook_token_hash bytea;

CREATE INDEX IF NOT EXISTS presence_live_hook_token_idx
    ON mesh.presence (hook_token_hash) WHERE disconnected_at IS NULL;
