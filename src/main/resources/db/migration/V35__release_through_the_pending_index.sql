-- The release of an ended session's claims was the only reader of delivery_claimed_by_idx; it now
-- names the session's member too and reads that member's pending deliveries through
-- delivery_pending_idx (routing.DeliveryStore.releaseAll). Every delivery handed over at its insert
-- (claimed_by set) wrote an entry into the dropped index, and without it a claim (claimed_by,
-- claimed_at) changes no indexed column, so it can be a HOT update. The free room per page lets the
-- claim's and the confirmation's new row versions stay on the page of the old one (docs/BENCHMARKS.md,
-- "HOT completion").
DROP INDEX IF EXISTS mesh.delivery_claimed_by_idx;
ALTER TABLE mesh.delivery SET (fillfactor = 60);
