// agent/slurm: the only code that runs scheduler commands.
export { SlurmAdapter, type SlurmAdapterOptions, type OutputFormat } from './adapter.js';
export { SchedulerError, isSchedulerError, classifyFailure } from './errors.js';
export { CommandRunner, type RunnerOptions, type RunOptions, type RunResult } from './runner.js';
export { parseSacctText, sacctTextArgs, SACCT_FIELDS, type AccountingSelector } from './sacct-text.js';
export { parseSacctJson } from './sacct-json.js';
export { parseSqueueText, squeueTextArgs, SQUEUE_FIELDS, type QueueSelector } from './squeue-text.js';
export { parseSqueueJson } from './squeue-json.js';
export { parseSbatchParsable } from './sbatch.js';
export { parseVersion, atLeast } from './version.js';
export { parseJobId, expandTaskSpec, JOB_ID_ARG, type ParsedJobId, type TaskSpec } from './job-id.js';
export { expandStdPath } from './std-path.js';
export * from './types.js';
