-- Core state: submissions (recipes), tasks (one per array index), attempts (each Slurm job that ran a
-- task), intents (resubmissions recorded before sbatch runs, for exactly-once) and events.

CREATE TABLE submissions (
  id               INTEGER PRIMARY KEY,
  name             TEXT,
  origin           TEXT    NOT NULL CHECK (origin IN ('submit', 'adopt')),
  args             TEXT    NOT NULL,           -- JSON array: sbatch arguments, without "sbatch"
  cwd              TEXT    NOT NULL,
  env              TEXT    NOT NULL,           -- JSON object: the recorded environment
  array_spec       TEXT,                       -- the original --array value, NULL for a plain job
  throttle         INTEGER,                    -- the %N of --array, kept on resubmission
  done_marker      TEXT,
  progress         TEXT,
  checkpoint_regex TEXT,
  max_attempts     INTEGER,
  resume           INTEGER NOT NULL DEFAULT 1,
  held             INTEGER NOT NULL DEFAULT 0,
  recipe_notes     TEXT    NOT NULL DEFAULT '[]', -- JSON array: what adopt could not recover
  first_job_id     TEXT    NOT NULL,
  created_at       INTEGER NOT NULL
);

CREATE TABLE tasks (
  id              INTEGER PRIMARY KEY,
  submission_id   INTEGER NOT NULL REFERENCES submissions (id),
  array_index     INTEGER NOT NULL,            -- 0 for a plain job
  state           TEXT    NOT NULL CHECK (state IN
                    ('queued', 'running', 'done', 'resuming', 'failed', 'stalled', 'exhausted', 'held')),
  held            INTEGER NOT NULL DEFAULT 0,
  attempts        INTEGER NOT NULL DEFAULT 0,
  latest_job_id   TEXT,
  reason          TEXT,                        -- why the task is in its state (the last decision)
  diagnosis_cause TEXT,
  diagnosis_hint  TEXT,
  diagnosis_line  TEXT,
  updated_at      INTEGER NOT NULL,
  UNIQUE (submission_id, array_index)
);

CREATE TABLE intents (
  id            INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions (id),
  kind          TEXT    NOT NULL CHECK (kind IN ('resume', 'manual')),
  indices       TEXT    NOT NULL,              -- JSON array of array indices
  args          TEXT    NOT NULL,              -- JSON array: the exact sbatch arguments, tag included
  tag           TEXT    NOT NULL UNIQUE,       -- the --comment value that marks the job
  state         TEXT    NOT NULL CHECK (state IN ('pending', 'confirmed', 'failed')),
  job_id        TEXT,
  tries         INTEGER NOT NULL DEFAULT 0,
  next_try_at   INTEGER,
  error         TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX intents_open ON intents (state) WHERE state = 'pending';

CREATE TABLE attempts (
  id              INTEGER PRIMARY KEY,
  task_id         INTEGER NOT NULL REFERENCES tasks (id),
  job_id          TEXT    NOT NULL UNIQUE,     -- as Slurm writes it: 1234_7, or 1234 for a plain job
  array_job_id    TEXT    NOT NULL,            -- the id sbatch printed
  job_id_raw      TEXT,
  intent_id       INTEGER REFERENCES intents (id),
  slurm_state     TEXT    NOT NULL,
  state_detail    TEXT,
  exit_code       INTEGER,
  exit_signal     INTEGER,
  stdout_path     TEXT,
  stderr_path     TEXT,
  submitted_at    INTEGER,                     -- unix seconds, from the scheduler
  started_at      INTEGER,
  ended_at        INTEGER,
  ended           INTEGER NOT NULL DEFAULT 0,  -- a terminal state was seen
  decided         INTEGER NOT NULL DEFAULT 0,  -- the resume decision for this attempt was taken
  checkpoint_seen INTEGER NOT NULL DEFAULT 0,
  progress_lines  INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL
);
CREATE INDEX attempts_task ON attempts (task_id, id);
CREATE INDEX attempts_live ON attempts (array_job_id) WHERE ended = 0;
CREATE INDEX attempts_undecided ON attempts (id) WHERE ended = 1 AND decided = 0;

CREATE TABLE events (
  id            INTEGER PRIMARY KEY,
  at            INTEGER NOT NULL,              -- unix milliseconds
  level         TEXT    NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  kind          TEXT    NOT NULL,
  submission_id INTEGER,
  task_id       INTEGER,
  job_id        TEXT,
  message       TEXT    NOT NULL,
  data          TEXT                           -- JSON
);
CREATE INDEX events_task ON events (task_id, id);
CREATE INDEX events_submission ON events (submission_id, id);
