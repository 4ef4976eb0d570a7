// Every emb-client command in one table: its arguments, options, help and examples, and a lazy loader.
// Parsing, `help CMD`, `CMD --help` and shell completion all read this table, so a new command is one entry.
// Nothing here imports command code: each command's module loads only when that command runs.
import type { Command } from './context.js';

export interface OptionDef {
  /** The value's name in help ("N", "FILE"); absent for a flag. */
  value?: string;
  help: string;
}

export type OptionSpec = Record<string, OptionDef>;

export interface CommandDef {
  /** What follows the command name in help: "TARGET", "[MARKERS] -- SBATCH_ARGS". */
  args: string;
  summary: string;
  options: OptionSpec;
  examples: string[];
  /** What a positional argument is, for completion: targets come from the agent when it answers. */
  positional?: 'target' | 'job' | 'command' | 'shell';
  /** Not listed in usage or completion (the completion script's own helper). */
  hidden?: boolean;
  load: () => Promise<{ default: Command }>;
}

/** The options every command takes, before or after its name. */
export const GLOBAL_OPTIONS: OptionSpec = {
  context: { value: 'NAME', help: 'the agent named NAME in the client config (contexts:)' },
  config: { value: 'FILE', help: 'the config file (default ~/.config/emb-agent/config.yaml)' },
  url: { value: 'URL', help: 'the agent: http://127.0.0.1:PORT (a tunnel) or unix:/path/agent.sock' },
  'token-file': { value: 'FILE', help: "a copy of the agent's API token" },
  json: { help: 'print what the API returns; errors go to stderr as JSON' },
  check: { help: 'validate replies against the API schemas (slower)' },
  help: { help: 'this help, or a command’s own (emb-client CMD --help)' },
  version: { help: "print emb-client's version" },
};

/** The resume contract's markers: submit and adopt take the same. */
export const MARKER_OPTIONS: OptionSpec = {
  'done-marker': { value: 'P', help: 'a path ({index} = array index) whose presence means the task is done' },
  progress: { value: 'P', help: 'files or a folder whose new entries count as progress' },
  'checkpoint-regex': { value: 'RE', help: 'a log line saying the task saved a checkpoint' },
  'max-attempts': { value: 'N', help: 'cap on attempts per task' },
  'no-resume': { help: 'track and diagnose only, never resubmit' },
};

/** Preflight (agent/preflight/): submit only. */
const PREFLIGHT_OPTIONS: OptionSpec = {
  'no-preflight': {
    value: 'REASON',
    help: "skip the site's partition rules for this job (the reason is recorded)",
  },
  'fit-time': { help: 'resubmissions ask for the time the work left needs, not the full --time' },
  target: { value: 'N', help: 'with --fit-time: shards (or progress files) each task must reach in all' },
};

const target = () => import('./commands/target.js');
const statusList = () => import('./commands/status-lists.js');

export const COMMANDS: Record<string, CommandDef> = {
  ls: {
    args: '[--state S] [--name N] [--since T] [--all]',
    summary: 'submissions and their tasks (state, attempts, latest job, diagnosis)',
    options: {
      state: {
        value: 'S',
        help:
          'only tasks in state S (queued, running, done, resuming, failed, stalled, exhausted, held), or ' +
          'waiting: submissions not sent yet (--after, pipelines)',
      },
      name: { value: 'N', help: 'only submissions whose job name contains N' },
      since: { value: 'T', help: 'only submissions made since T: 2h, 3d, 1w, 2026-12-01 or an ISO time' },
      all: { help: 'archived submissions too (emb-client archive)' },
    },
    examples: [
      'emb-client ls',
      'emb-client ls --state failed --since 2d',
      'emb-client ls --name build_shards --all',
      'emb-client --json ls | jq ".[].counts"',
    ],
    load: () => import('./commands/ls.js'),
  },
  show: {
    args: 'TARGET',
    summary: 'one submission or task in detail, with attempts and events',
    options: {},
    examples: ['emb-client show #12', 'emb-client show 1234_7', 'emb-client show #12:7'],
    positional: 'target',
    load: () => import('./commands/show.js'),
  },
  submit: {
    args: '[MARKERS] -- SBATCH_ARGS',
    summary:
      "run sbatch ARGS here (this directory, this environment) and track the job; from another host, in --chdir DIR with the agent user's environment",
    options: {
      chdir: {
        value: 'DIR',
        help: "the job's folder (from another host: required, an absolute path there; the job gets the agent user's environment)",
      },
      ...MARKER_OPTIONS,
      ...PREFLIGHT_OPTIONS,
      after: {
        value: 'X[,Y]',
        help: 'keep it back until every task of these submissions (a job id of any of their jobs, or #N) is done',
      },
    },
    examples: [
      'emb-client submit -- --array=0-99%20 build_shards.sbatch',
      "emb-client submit --done-marker 'out/{index}.done' -- --array=0-9 job.sbatch",
      'emb-client submit --chdir /cluster/work/users/me/run -- job.sbatch   # from a laptop, through the tunnel',
    ],
    load: () => import('./commands/submit.js'),
  },
  adopt: {
    args: '[MARKERS] JOBID',
    summary: "track a job of yours submitted by hand; MARKERS: submit's options",
    options: MARKER_OPTIONS,
    examples: ['emb-client adopt 1234', "emb-client adopt --done-marker 'out/{index}.done' 1234"],
    positional: 'job',
    load: () => import('./commands/adopt.js'),
  },
  hold: {
    args: 'TARGET',
    summary:
      "hold the agent's resubmission of tasks (not a Slurm hold: queued and running jobs go on; scontrol hold is Slurm's)",
    options: {},
    examples: ['emb-client hold #12', 'emb-client hold 1234_7'],
    positional: 'target',
    load: target,
  },
  release: {
    args: 'TARGET',
    summary: 'let held tasks be resubmitted again',
    options: {},
    examples: ['emb-client release #12'],
    positional: 'target',
    load: target,
  },
  resubmit: {
    args: '[--force] TARGET',
    summary: 'resubmit now, skipping the guards (a done task only with --force)',
    options: { force: { help: 'resubmit even tasks that are done' } },
    examples: ['emb-client resubmit #12:7', 'emb-client resubmit --force 1234_7'],
    positional: 'target',
    load: target,
  },
  cancel: {
    args: 'TARGET',
    summary: "scancel a submission's or task's jobs; they are recorded as the user's cancel, never resumed",
    options: {},
    examples: ['emb-client cancel #12', 'emb-client cancel 1234_7'],
    positional: 'target',
    load: target,
  },
  archive: {
    args: 'TARGET',
    summary: 'hide a finished submission from ls (ls --all shows it; show and events keep its history)',
    options: {},
    examples: ['emb-client archive #12', 'emb-client archive 1234'],
    positional: 'target',
    load: target,
  },
  unarchive: {
    args: 'TARGET',
    summary: 'list an archived submission in ls again',
    options: {},
    examples: ['emb-client unarchive #12'],
    positional: 'target',
    load: target,
  },
  shards: {
    args: '[--watch [--interval S]]',
    summary: 'shard folders: counts, rate, ETA; --watch redraws the table until Ctrl-C',
    options: {
      watch: { help: 'redraw the table every S seconds, with each folder’s trend, until Ctrl-C' },
      interval: { value: 'S', help: 'with --watch, every S seconds (default 5)' },
    },
    examples: ['emb-client shards', 'emb-client shards --watch --interval 10'],
    load: () => import('./commands/shards.js'),
  },
  open: {
    args: '[--port N] [--no-browser]',
    summary: 'a one-time link (a minute, used once) that logs a browser into the web page',
    options: {
      port: {
        value: 'N',
        help: 'the laptop port the ssh tunnel forwards (default 8080, or the agent’s own)',
      },
      'no-browser': { help: 'only print the link' },
    },
    examples: ['emb-client open', 'emb-client open --port 9000'],
    load: () => import('./commands/open.js'),
  },
  tokens: {
    args: '',
    summary: 'Planetary Computer SAS tokens: expiry and refresh state',
    options: {},
    examples: ['emb-client tokens'],
    load: statusList,
  },
  events: {
    args: '[--submission N] [--limit N] [--follow [--interval S]]',
    summary: "the agent's recent events, or new ones as they come",
    options: {
      submission: { value: 'N', help: 'only events of submission N' },
      limit: { value: 'N', help: 'at most N events (default 100)' },
      follow: { help: 'keep printing new events until interrupted' },
      interval: { value: 'S', help: 'with --follow, ask every S seconds (default 2)' },
    },
    examples: ['emb-client events --submission 12', 'emb-client events --follow'],
    load: () => import('./commands/events.js'),
  },
  logs: {
    args: 'TARGET [--attempt N] [--bytes N]',
    summary: "the end of an attempt's log: the latest, attempt N, or the attempt whose job id TARGET is",
    options: {
      attempt: { value: 'N', help: "the task's attempt N (1 = the first)" },
      bytes: { value: 'N', help: 'at most the last N bytes' },
    },
    examples: ['emb-client logs 1234_7', 'emb-client logs #12:7 --attempt 1 --bytes 4096'],
    positional: 'target',
    load: () => import('./commands/logs.js'),
  },
  health: {
    args: '',
    summary: 'the agent, the scheduler and the database',
    options: {},
    examples: ['emb-client health', 'emb-client --context betzy health'],
    load: () => import('./commands/health.js'),
  },
  pipeline: {
    args: 'apply FILE | status FILE',
    summary:
      "a pipeline file's steps: apply submits those not yet submitted (safe to run again), status shows each",
    options: {},
    examples: ['emb-client pipeline apply pipeline.yaml', 'emb-client pipeline status pipeline.yaml'],
    load: () => import('./commands/pipeline.js'),
  },
  notify: {
    args: 'test',
    summary: 'send one test message to every notification target (notify.webhooks, notify.mail)',
    options: {},
    examples: ['emb-client notify test'],
    load: () => import('./commands/notify.js'),
  },
  help: {
    args: '[COMMAND]',
    summary: "this overview, or a command's own options and examples",
    options: {},
    examples: ['emb-client help submit'],
    positional: 'command',
    load: () => import('./commands/help.js'),
  },
  completion: {
    args: 'bash|zsh',
    summary: 'a shell completion script: eval "$(emb-client completion bash)"',
    options: {},
    examples: [
      'echo \'eval "$(emb-client completion bash)"\' >> ~/.bashrc',
      'echo \'eval "$(emb-client completion zsh)"\' >> ~/.zshrc',
    ],
    positional: 'shell',
    load: () => import('./commands/completion.js'),
  },
  __complete: {
    args: '',
    summary:
      'words for the completion scripts: targets (from the agent, nothing when it does not answer), contexts',
    options: {},
    examples: [],
    hidden: true,
    load: () => import('./commands/complete.js'),
  },
};
