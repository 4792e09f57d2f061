-- Hello and direct sends look members up by lower(peer_pubkey) (PROTOCOL A.2: hex in either case,
-- and rows written by the claudemesh web app are not guaranteed lowercase). An index on the plain
-- column cannot serve that predicate, so every lookup read the whole mesh.
DROP INDEX IF EXISTS mesh.member_mesh_pubkey_idx;
CREATE INDEX IF NOT EXISTS member_mesh_lower_pubkey_idx ON mesh.member (mesh_id, lower(peer_pubkey));
