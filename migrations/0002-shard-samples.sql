-- Shard folder samples for rates and ETAs (agent/watch/shard-store.ts). One row per folder when its count or
-- bytes changed, plus a heartbeat every few minutes, so the value at any moment is the latest row at or before it.
-- Rows older than the retention period are pruned by the agent, keeping each folder's newest row.
CREATE TABLE shard_samples (
  dir   TEXT    NOT NULL, -- absolute folder path
  at    INTEGER NOT NULL, -- milliseconds since the Unix epoch, agent clock
  count INTEGER NOT NULL CHECK (count >= 0),
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  PRIMARY KEY (dir, at)
) WITHOUT ROWID;

CREATE INDEX shard_samples_at ON shard_samples (at);
