-- A user's submit, written down before sbatch runs (agent/commands/submit-intents.ts), so a crash or a full
-- disk between sbatch and the database never leaves a job the agent does not know: at start an open one is
-- looked up by its tag in squeue and sacct, and either recorded as the submission or marked failed.
CREATE TABLE submit_intents (
  id            INTEGER PRIMARY KEY,
  tag           TEXT    UNIQUE,                -- the --comment value; NULL when the user set their own comment
  recipe        TEXT    NOT NULL,              -- JSON: the submission to record (argv, cwd, env, markers)
  indices       TEXT    NOT NULL,              -- JSON array of array indices ([0] for a plain job)
  is_array      INTEGER NOT NULL,
  state         TEXT    NOT NULL CHECK (state IN ('pending', 'confirmed', 'failed')),
  job_id        TEXT,
  submission_id INTEGER REFERENCES submissions (id),
  error         TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX submit_intents_open ON submit_intents (state) WHERE state = 'pending';

-- One row the health check rewrites: a database that cannot be written (full disk, read-only mount) shows in
-- /health before a submit finds out.
CREATE TABLE write_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
);
INSERT INTO write_probe (id, at) VALUES (1, 0);
