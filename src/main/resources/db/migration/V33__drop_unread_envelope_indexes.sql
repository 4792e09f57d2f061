-- Two indexes of V2 that no query of the broker reads any more since deliveries have their own
-- table (V25): every envelope insert still wrote both, and every completion (a non-HOT update of
-- the envelope row) wrote the second again. Without them the send's statement writes ~13 % less
-- WAL (docs/BENCHMARKS.md, "Where the time goes on the EPYC VM"). The envelope queries that
-- remain use message_queue_pkey, message_queue_expires_idx and message_queue_delivered_idx.
DROP INDEX IF EXISTS mesh.message_queue_undelivered_idx;
DROP INDEX IF EXISTS mesh.message_queue_created_idx;
