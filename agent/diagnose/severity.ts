// How much each cause explains a task's end: the basis for choosing one diagnosis among many lines.

/**
 * How much a cause explains a task's end; the highest seen in a log wins, the first of equals stays
 * (the root cause usually comes first: a quota error before the traceback it causes).
 * Environment and resource errors that kill a job outrank the way it ended (time limit, cancel),
 * which outranks transient network trouble that a retry may have absorbed.
 */
export const CAUSE_SEVERITY: Readonly<Record<string, number>> = {
  'disk-quota': 90,
  'no-space': 90,
  'proj-db': 90,
  'python-path': 90,
  'container-missing': 90,
  'gpu-missing': 90,
  'cuda-oom': 90,
  'oom-kill': 90,
  'sbatch-rejected': 90,
  'sas-expired': 85,
  'no-internet': 85,
  'modules-missing': 85,
  'module-not-found': 80,
  'library-missing': 80,
  'nccl-error': 75,
  'time-limit': 70,
  'node-fail': 70,
  preempted: 70,
  deadline: 70,
  cancelled: 60,
  'remote-unreadable': 60,
  'http-502': 50,
  'http-429': 50,
  'gdal-http-timeout': 50,
  killed: 40,
  'job-failed': 30,
};

/** Severity of a user rule whose cause is not in the catalogue: users add rules for what matters most to them. */
export const USER_RULE_SEVERITY = 95;
