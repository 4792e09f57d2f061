-- The claudemesh v1 layout (PROTOCOL.md Part C). On an existing claudemesh database this migration
-- is baselined, never run: it must describe exactly what that database already has.
-- Timestamps are "timestamp without time zone" holding UTC.

CREATE SCHEMA IF NOT EXISTS mesh;

CREATE TYPE mesh.visibility AS ENUM ('private', 'public');
CREATE TYPE mesh.transport AS ENUM ('managed', 'tailscale', 'self_hosted');
CREATE TYPE mesh.tier AS ENUM ('free', 'pro', 'team', 'enterprise');
CREATE TYPE mesh.role AS ENUM ('admin', 'member');
CREATE TYPE mesh.presence_status AS ENUM ('idle', 'working', 'dnd');
CREATE TYPE mesh.presence_status_source AS ENUM ('hook', 'manual', 'jsonl');
CREATE TYPE mesh.message_priority AS ENUM ('now', 'next', 'low');

CREATE TABLE mesh.mesh (
    id               text PRIMARY KEY,
    name             text NOT NULL,
    slug             text NOT NULL,
    owner_user_id    text,
    visibility       mesh.visibility NOT NULL DEFAULT 'private',
    transport        mesh.transport NOT NULL DEFAULT 'managed',
    max_peers        integer,
    tier             mesh.tier NOT NULL DEFAULT 'free',
    owner_pubkey     text,
    owner_secret_key text,
    root_key         text,
    created_at       timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    archived_at      timestamp,
    CONSTRAINT mesh_slug_unique UNIQUE (slug)
);

CREATE TABLE mesh.member (
    id           text PRIMARY KEY,
    mesh_id      text NOT NULL REFERENCES mesh.mesh (id) ON DELETE CASCADE,
    user_id      text,
    peer_pubkey  text NOT NULL,
    display_name text NOT NULL,
    role         mesh.role NOT NULL DEFAULT 'member',
    joined_at    timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    last_seen_at timestamp,
    revoked_at   timestamp
);

CREATE TABLE mesh.invite (
    id          text PRIMARY KEY,
    mesh_id     text NOT NULL REFERENCES mesh.mesh (id) ON DELETE CASCADE,
    token       text NOT NULL,
    token_bytes text NOT NULL,
    max_uses    integer NOT NULL DEFAULT 1,
    used_count  integer NOT NULL DEFAULT 0,
    role        mesh.role NOT NULL DEFAULT 'member',
    expires_at  timestamp NOT NULL,
    created_by  text,
    created_at  timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    revoked_at  timestamp,
    CONSTRAINT invite_token_unique UNIQUE (token)
);

CREATE TABLE mesh.audit_log (
    id             text PRIMARY KEY,
    mesh_id        text NOT NULL REFERENCES mesh.mesh (id) ON DELETE CASCADE,
    event_type     text NOT NULL,
    actor_peer_id  text,
    target_peer_id text,
    metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE TABLE mesh.presence (
    id                text PRIMARY KEY,
    member_id         text NOT NULL REFERENCES mesh.member (id) ON DELETE CASCADE,
    session_id        text NOT NULL,
    pid               integer NOT NULL,
    cwd               text NOT NULL,
    status            mesh.presence_status NOT NULL DEFAULT 'idle',
    status_source     mesh.presence_status_source NOT NULL DEFAULT 'jsonl',
    status_updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    connected_at      timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    last_ping_at      timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    disconnected_at   timestamp
);

CREATE TABLE mesh.message_queue (
    id               text PRIMARY KEY,
    mesh_id          text NOT NULL REFERENCES mesh.mesh (id) ON DELETE CASCADE,
    sender_member_id text NOT NULL REFERENCES mesh.member (id) ON DELETE CASCADE,
    target_spec      text NOT NULL,
    priority         mesh.message_priority NOT NULL DEFAULT 'next',
    nonce            text NOT NULL,
    ciphertext       text NOT NULL,
    created_at       timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    delivered_at     timestamp,
    expires_at       timestamp
);

CREATE TABLE mesh.pending_status (
    id            text PRIMARY KEY,
    pid           integer,
    cwd           text NOT NULL,
    status        mesh.presence_status NOT NULL,
    status_source mesh.presence_status_source NOT NULL DEFAULT 'hook',
    created_at    timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    applied_at    timestamp
);
