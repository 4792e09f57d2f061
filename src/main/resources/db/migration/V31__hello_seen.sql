-- PROTOCOL A.3 check 6: the hellos accepted within the skew window, by any broker process on this
-- database (session.SeenHellos). A hello's signature covers mesh, member, pubkey and timestamp, so
-- (member, timestamp) names exactly one signed hello. Rows live for about two minutes.
CREATE TABLE IF NOT EXISTS mesh.hello_seen (
    member_id       text   NOT NULL,
    hello_timestamp bigint NOT NULL,
    PRIMARY KEY (member_id, hello_timestamp)
);

CREATE INDEX IF NOT EXISTS hello_seen_timestamp_idx ON mesh.hello_seen (hello_timestamp);
