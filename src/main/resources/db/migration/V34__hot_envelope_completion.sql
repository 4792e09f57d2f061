-- The completion of an envelope (setting message_queue.delivered_at, once per envelope) becomes a
-- HOT update: no index of message_queue names delivered_at any more, in its key or its predicate,
-- and pages keep room for the row's second version. The completion then writes one heap record
-- instead of a new row version plus three index entries (docs/BENCHMARKS.md, "HOT completion").
--
-- What read the two indexes, and reads instead:
--   expiry (undelivered envelopes past expires_at)   -> message_queue_expiry_idx, never updated;
--   purge  (done more than the retention ago)        -> message_queue_purge_idx on created_at, never
--          updated: an envelope is delivered and expires after it was created, so everything the
--          purge deletes lies below its cutoff on created_at;
--   the completion's safety net                      -> the same range (routing.QueueUpkeep).
DROP INDEX IF EXISTS mesh.message_queue_expires_idx;
DROP INDEX IF EXISTS mesh.message_queue_delivered_idx;
CREATE INDEX IF NOT EXISTS message_queue_expiry_idx ON mesh.message_queue (expires_at);
CREATE INDEX IF NOT EXISTS message_queue_purge_idx ON mesh.message_queue (created_at);

-- Half of each page stays free for updated versions of its rows: every envelope is updated once,
-- about a second after its insert, while its page is still the one being filled. Applies to pages
-- written from now on.
ALTER TABLE mesh.message_queue SET (fillfactor = 50);
