-- The resume decision is stored with its attempt (agent/tasks/decided.ts writes it), so a submission's detail
-- reads it in the same query as the attempts instead of rebuilding it from the newest events (older
-- decisions used to show as null). decided stays the flag the engine's queries use.
ALTER TABLE attempts ADD COLUMN decision        TEXT;    -- done, resume, failed, stalled, exhausted, held
ALTER TABLE attempts ADD COLUMN decision_reason TEXT;    -- why, as the task's reason said at the time
ALTER TABLE attempts ADD COLUMN decided_at      INTEGER; -- unix milliseconds, agent clock

-- Backfill from what older builds recorded: each attempt's newest 'decision' event, whose data.decision names
-- the outcome and whose message reads "<job id>: <decision>: <reason>".
WITH newest AS (
  SELECT max(id) AS id FROM events WHERE kind = 'decision' AND job_id IS NOT NULL GROUP BY job_id
),
found AS (
  SELECT e.job_id, e.at, e.message,
         CASE WHEN json_valid(e.data) AND json_type(e.data, '$.decision') = 'text'
              THEN json_extract(e.data, '$.decision') ELSE e.message END AS decision
  FROM events e JOIN newest n ON n.id = e.id
)
UPDATE attempts
SET decision = found.decision,
    decision_reason = CASE
      WHEN substr(found.message, 1, length(found.job_id) + length(found.decision) + 4)
           = found.job_id || ': ' || found.decision || ': '
      THEN substr(found.message, length(found.job_id) + length(found.decision) + 5)
    END,
    decided_at = found.at
FROM found
WHERE attempts.job_id = found.job_id;
