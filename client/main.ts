// The client's top level: parse, dispatch to a lazily loaded command, turn failures into messages and exit codes.
import { Api } from './api.js';
import { parseArgs } from './args.js';
import type { Command, Context } from './context.js';
import { resolveConnection } from './connection.js';
import { ClientError, EXIT, UsageError } from './errors.js';

export const USAGE = `usage: emb-client [--config FILE] [--url URL] [--token-file F] [--json] [--check] COMMAND

commands:
  ls                         submissions and their tasks (state, attempts, latest job, diagnosis)
  show TARGET                one submission or task in detail, with attempts and events
  submit [OPTIONS] -- ARGS   run sbatch ARGS here (this directory, this environment) and track the job
      --done-marker P          a path ({index} = array index) whose presence means the task is done
      --progress P             files or a folder whose new entries count as progress
      --checkpoint-regex RE    a log line saying the task saved a checkpoint
      --max-attempts N         cap on attempts per task
      --no-resume              track and diagnose only, never resubmit
  adopt [MARKERS] JOBID      track a job of yours submitted by hand; MARKERS: submit's options above
  hold|release TARGET        keep tasks from being resubmitted, or let them be again
  resubmit [--force] TARGET  resubmit now, skipping the guards (a done task only with --force)
  shards                     shard folders: counts, rate, ETA
  tokens                     Planetary Computer SAS tokens: expiry and refresh state
  events [--submission N] [--limit N] [--follow [--interval S]]
  logs TARGET [--attempt N] [--bytes N]
                             the end of an attempt's log under a header naming the file: the latest,
                             attempt N, or the attempt whose own job id TARGET is
  health                     the agent, the scheduler and the database

TARGET: a job id (1234, 1234_7) or #SUBMISSION[:INDEX] (#12, #12:7).
The agent's address: --url, EMB_AGENT_URL, or api.listen in the config (default: the socket
$XDG_RUNTIME_DIR/emb-agent/agent.sock or /tmp/emb-agent-UID/agent.sock; \`health\` prints it).
Over TCP (a tunnel: --url http://127.0.0.1:PORT) the agent must prove it knows the token first. The token: --token-file, EMB_AGENT_TOKEN_FILE, or <stateDir>/api-token.
--json prints what the API returns; --check validates replies against the API schemas.
exit codes: 0 ok, 1 the agent answered with an error, 2 usage or setup error, 3 agent unreachable.
`;

const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  ls: () => import('./commands/ls.js'),
  show: () => import('./commands/show.js'),
  submit: () => import('./commands/submit.js'),
  adopt: () => import('./commands/adopt.js'),
  hold: () => import('./commands/target.js'),
  release: () => import('./commands/target.js'),
  resubmit: () => import('./commands/target.js'),
  shards: () => import('./commands/status-lists.js'),
  tokens: () => import('./commands/status-lists.js'),
  events: () => import('./commands/events.js'),
  health: () => import('./commands/health.js'),
  logs: () => import('./commands/logs.js'),
};

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: Io,
): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    if (parsed.global.help || parsed.command === undefined || parsed.command === 'help') {
      io.out(USAGE);
      return parsed.command === undefined && !parsed.global.help ? EXIT.usage : EXIT.ok;
    }
    const load = COMMANDS[parsed.command];
    if (!load) throw new UsageError(`unknown command "${parsed.command}"; see emb-client --help`);
    let api: Api | undefined;
    const ctx: Context = {
      parsed,
      env,
      cwd,
      api: async () => (api ??= new Api(await resolveConnection(parsed.global, env))),
      out: io.out,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
    const command = (await load()).default;
    return await command(ctx);
  } catch (err) {
    if (err instanceof ClientError) {
      io.err(`emb-client: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(
      `emb-client: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.api;
  }
}
