-- Which broker process owns a live presence (docs/status-model.md, "Instance identity"). Several
-- brokers may share one database; each registers a row here and refreshes heartbeat_at. A row whose
-- heartbeat went stale belongs to a crashed process: another instance deletes it and closes its
-- presences. A row with the host and port of a starting instance is that instance's crashed
-- predecessor (the port is bound by the newcomer now). Presences written before this migration (or
-- by another broker) keep a NULL owner.

CREATE TABLE mesh.broker_instance (
    id           text PRIMARY KEY,
    host         text NOT NULL,
    port         integer,
    started_at   timestamp NOT NULL,
    heartbeat_at timestamp NOT NULL
);

ALTER TABLE mesh.presence ADD COLUMN broker_instance_id text;

CREATE INDEX presence_live_instance_idx
    ON mesh.presence (broker_instance_id) WHERE disconnected_at IS NULL;
