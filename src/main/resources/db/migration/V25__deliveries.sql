-- One delivery per recipient member of an envelope (PROTOCOL A.6). mesh.message_queue stays the
-- envelope store; its delivered_at is set once every delivery of the envelope is done.
-- seq orders a member's deliveries in send order; priority is copied here so that gating (A.7) can
-- filter the claim without touching the envelope.

CREATE TABLE mesh.delivery (
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    message_id   text NOT NULL REFERENCES mesh.message_queue (id) ON DELETE CASCADE,
    member_id    text NOT NULL REFERENCES mesh.member (id) ON DELETE CASCADE,
    priority     mesh.message_priority NOT NULL,
    claimed_by   text,
    claimed_at   timestamp,
    delivered_at timestamp,
    expired_at   timestamp,
    CONSTRAINT delivery_pkey PRIMARY KEY (message_id, member_id)
);

CREATE INDEX delivery_pending_idx
    ON mesh.delivery (member_id, seq) WHERE delivered_at IS NULL AND expired_at IS NULL;

CREATE INDEX delivery_claimed_by_idx
    ON mesh.delivery (claimed_by) WHERE claimed_by IS NOT NULL AND delivered_at IS NULL;

CREATE INDEX message_queue_expires_idx
    ON mesh.message_queue (expires_at) WHERE delivered_at IS NULL;

CREATE INDEX message_queue_delivered_idx
    ON mesh.message_queue (delivered_at) WHERE delivered_at IS NOT NULL;

-- An existing claudemesh database may hold envelopes queued by the previous broker: give each
-- undelivered one its deliveries so that they reach their recipients (the expiry job retires the
-- expired ones).
INSERT INTO mesh.delivery (message_id, member_id, priority)
SELECT q.id, m.id, q.priority
FROM mesh.message_queue q
JOIN mesh.member m ON m.mesh_id = q.mesh_id AND m.revoked_at IS NULL
WHERE q.delivered_at IS NULL
  AND ((q.target_spec = '*' AND m.id <> q.sender_member_id)
       OR lower(q.target_spec) = lower(m.peer_pubkey))
ORDER BY q.created_at, q.id, m.id;
