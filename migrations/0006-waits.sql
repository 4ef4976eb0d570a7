-- A submission the agent keeps back until every task of its prerequisites is done (emb-client submit
-- --after, pipeline steps). Its submissions row exists from the start (first_job_id '' until sent, so
-- `show #N`, release and cancel name it like any other); this row holds what to send and why it waits.
-- Only rows still open are looked at each tracker cycle, so the check never scans all tasks.
CREATE TABLE waits (
  submission_id INTEGER PRIMARY KEY REFERENCES submissions (id),
  body          TEXT    NOT NULL,                -- JSON: the submit request to send (args, cwd, env, markers)
  after         TEXT    NOT NULL,                -- JSON array of prerequisite submission ids
  state         TEXT    NOT NULL CHECK (state IN ('waiting', 'sending', 'sent', 'dropped')),
  released      INTEGER NOT NULL DEFAULT 0,      -- the user said send it whatever the prerequisites say
  blocked       INTEGER NOT NULL DEFAULT 0,      -- a prerequisite failed, stalled or exhausted
  failed        TEXT,                            -- why the last send failed: no new send until a release
  reason        TEXT    NOT NULL,                -- what it waits for, as `ls` and `show` print it
  intent_id     INTEGER REFERENCES submit_intents (id),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX waits_open ON waits (state) WHERE state IN ('waiting', 'sending');
CREATE INDEX waits_intent ON waits (intent_id) WHERE intent_id IS NOT NULL;

-- A pipeline file's steps as applied: keyed by pipeline and step name, so applying the file again submits
-- only steps not yet known, and a step changed since (another digest) is reported, not resubmitted.
CREATE TABLE pipeline_steps (
  pipeline      TEXT    NOT NULL,
  step          TEXT    NOT NULL,
  digest        TEXT    NOT NULL,                -- sha256 of the step as applied
  submission_id INTEGER NOT NULL REFERENCES submissions (id),
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (pipeline, step)
);
