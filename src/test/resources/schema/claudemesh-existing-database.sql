-- A database as the claudemesh web app leaves it: its own public."user" table, the mesh schema with
-- foreign keys to that table, rows in every table, and no Flyway history.
CREATE TABLE public."user" (
    id    text PRIMARY KEY,
    name  text NOT NULL,
    email text NOT NULL UNIQUE
);

CREATE SCHEMA mesh;

CREATE TYPE mesh.visibility AS ENUM ('private', 'public');
CREATE TYPE mesh.transport AS ENUM ('managed', 'tailscale', 'self_hosted');
CREATE TYPE mesh.tier AS ENUM ('free', 'pro', 'team', 'enterprise');
CREATE TYPE mesh.role AS ENUM ('admin', 'member');
CREATE TYPE mesh.presence_status AS ENUM ('idle', 'working', 'dnd');
CREATE TYPE mesh.presence_status_source AS ENUM ('hook', 'manual', 'jsonl');
CREATE TYPE mesh.message_priority AS ENUM ('now', 'next', 'low');

CREATE TABLE mesh.mesh (
    id text PRIMARY KEY,
    name text NOT NULL,
    slug text NOT NULL UNIQUE,
    owner_user_id text NOT NULL REFERENCES public."user" (id),
    visibility mesh.visibility NOT NULL DEFAULT 'private',
    transport mesh.transport NOT NULL DEFAULT 'managed',
    max_peers integer,
    tier mesh.tier NOT NULL DEFAULT 'free',
    owner_pubkey text,
    owner_secret_key text,
    root_key text,
    created_at timestamp NOT NULL DEFAULT now(),
    archived_at timestamp
);
CREATE TABLE mesh.member (
    id text PRIMARY KEY,
    mesh_id text NOT NULL REFERENCES mesh.mesh (id) ON DELETE CASCADE,
    user_id text REFERENCES public."user" (id),
    peer_pubkey text NOT NULL,
    display_name text NOT NULL,
    role mesh.role NOT NULL DEFAULT 'member',
    joined_at timestamp NOT NULL DEFAULT now(),
    last_seen_at timestamp,
    revoked_at timestamp
);
CREATE TABLE mesh.invite (
    id text PRIMARY KEY,
    mesh_id text NOT NULL REFERENCES mesh.mesh (id) ON DELETE CASCADE,
    token text NOT NULL UNIQUE,
    token_bytes text NOT NULL,
    max_uses integer NOT NULL DEFAULT 1,
    used_count integer NOT NULL DEFAULT 0,
    role mesh.role NOT NULL DEFAULT 'member',
    expires_at timestamp NOT NULL,
    created_by text NOT NULL REFERENCES public."user" (id),
    created_at timestamp NOT NULL DEFAULT now(),
    revoked_at timestamp
);
CREATE TABLE mesh.audit_log (
    id text PRIMARY KEY,
    mesh_id text NOT NULL REFERENCES mesh.mesh (id) ON DELETE CASCADE,
    event_type text NOT NULL,
    actor_peer_id text,
    target_peer_id text,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamp NOT NULL DEFAULT now()
);
CREATE TABLE mesh.presence (
    id text PRIMARY KEY,
    member_id text NOT NULL REFERENCES mesh.member (id) ON DELETE CASCADE,
    session_id text NOT NULL,
    pid integer NOT NULL,
    cwd text NOT NULL,
    status mesh.presence_status NOT NULL DEFAULT 'idle',
    status_source mesh.presence_status_source NOT NULL DEFAULT 'jsonl',
    status_updated_at timestamp NOT NULL DEFAULT now(),
    connected_at timestamp NOT NULL DEFAULT now(),
    last_ping_at timestamp NOT NULL DEFAULT now(),
    disconnected_at timestamp
);
CREATE TABLE mesh.message_queue (
    id text PRIMARY KEY,
    mesh_id text NOT NULL REFERENCES mesh.mesh (id) ON DELETE CASCADE,
    sender_member_id text NOT NULL REFERENCES mesh.member (id) ON DELETE CASCADE,
    target_spec text NOT NULL,
    priority mesh.message_priority NOT NULL DEFAULT 'next',
    nonce text NOT NULL,
    ciphertext text NOT NULL,
    created_at timestamp NOT NULL DEFAULT now(),
    delivered_at timestamp,
    expires_at timestamp
);
CREATE TABLE mesh.pending_status (
    id text PRIMARY KEY,
    pid integer,
    cwd text NOT NULL,
    status mesh.presence_status NOT NULL,
    status_source mesh.presence_status_source NOT NULL DEFAULT 'hook',
    created_at timestamp NOT NULL DEFAULT now(),
    applied_at timestamp
);

INSERT INTO public."user" (id, name, email) VALUES ('user_1', 'Ada', 'ada@example.com');
INSERT INTO mesh.mesh (id, name, slug, owner_user_id, visibility, transport, max_peers, tier,
                       owner_pubkey, owner_secret_key, root_key, created_at)
VALUES ('mesh_1', 'Team', 'team', 'user_1', 'public', 'self_hosted', 20, 'pro',
        '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c',
        '01010101010101010101010101010101010101010101010101010101010101018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c',
        'BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ', '2026-01-02 03:04:05.678');
INSERT INTO mesh.mesh (id, name, slug, owner_user_id, created_at)
VALUES ('mesh_2', 'Legacy without keys', 'legacy', 'user_1', '2025-12-01 00:00:00');
INSERT INTO mesh.member (id, mesh_id, user_id, peer_pubkey, display_name, role, joined_at)
VALUES ('member_1', 'mesh_1', 'user_1', '8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394', 'laptop', 'admin',
        '2026-01-02 03:05:00'),
       ('member_2', 'mesh_1', NULL, 'ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1', 'desktop', 'member',
        '2026-01-02 03:06:00');
INSERT INTO mesh.invite (id, mesh_id, token, token_bytes, max_uses, used_count, role, expires_at, created_by)
VALUES ('invite_1', 'mesh_1', 'tok-1', '1|mesh_1|team|wss://x/ws|1767225600|k|member|8a88', 5, 2, 'member',
        '2026-02-01 00:00:00', 'user_1');
INSERT INTO mesh.audit_log (id, mesh_id, event_type, actor_peer_id, metadata)
VALUES ('audit_1', 'mesh_1', 'member_joined', 'member_2', '{"invite_id":"invite_1"}');
INSERT INTO mesh.presence (id, member_id, session_id, pid, cwd, status, status_source, disconnected_at)
VALUES ('presence_1', 'member_1', 'sess-1', 4242, '/home/ada/proj', 'working', 'hook', '2026-01-02 04:00:00');
INSERT INTO mesh.message_queue (id, mesh_id, sender_member_id, target_spec, priority, nonce, ciphertext,
                                created_at, delivered_at)
VALUES ('msg_1', 'mesh_1', 'member_1', 'ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1', 'now',
        'bm9uY2U=', 'Y2lwaGVydGV4dA==', '2026-01-02 03:10:00', '2026-01-02 03:10:01');
INSERT INTO mesh.pending_status (id, pid, cwd, status, created_at, applied_at)
VALUES ('pending_1', 4242, '/home/ada/proj', 'working', '2026-01-02 03:00:00', '2026-01-02 03:00:01');
