-- Indexes for the broker's own queries. Partial indexes keep them small: live presences and
-- undelivered envelopes are a sliver of their tables.

CREATE INDEX IF NOT EXISTS presence_live_cwd_pid_idx
    ON mesh.presence (cwd, pid, connected_at DESC) WHERE disconnected_at IS NULL;

CREATE INDEX IF NOT EXISTS presence_live_member_idx
    ON mesh.presence (member_id) WHERE disconnected_at IS NULL;

CREATE INDEX IF NOT EXISTS member_mesh_pubkey_idx
    ON mesh.member (mesh_id, peer_pubkey);

CREATE INDEX IF NOT EXISTS message_queue_undelivered_idx
    ON mesh.message_queue (mesh_id, target_spec, created_at) WHERE delivered_at IS NULL;

CREATE INDEX IF NOT EXISTS message_queue_created_idx
    ON mesh.message_queue (created_at);

CREATE INDEX IF NOT EXISTS pending_status_cwd_pid_idx
    ON mesh.pending_status (cwd, pid, created_at DESC);

CREATE INDEX IF NOT EXISTS audit_log_mesh_created_idx
    ON mesh.audit_log (mesh_id, created_at);
