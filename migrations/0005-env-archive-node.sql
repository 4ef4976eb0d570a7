-- #15: what users ask of a submission and its attempts. Which environment a submission's jobs get (a client
-- on another host sends none: they get the agent user's), whether `ls` hides it (archived, history kept),
-- and where and under which time limit each attempt ran (squeue's NODELIST, sacct's Timelimit).
ALTER TABLE submissions ADD COLUMN env_from TEXT NOT NULL DEFAULT 'client'
  CHECK (env_from IN ('client', 'agent'));           -- client: the submitting shell's; agent: the agent user's
ALTER TABLE submissions ADD COLUMN archived_at INTEGER; -- unix milliseconds, agent clock; NULL: listed
ALTER TABLE attempts ADD COLUMN node TEXT;              -- the node list as Slurm prints it, e.g. "c1-[2-3]"
ALTER TABLE attempts ADD COLUMN time_limit_minutes INTEGER; -- NULL: UNLIMITED or not known
