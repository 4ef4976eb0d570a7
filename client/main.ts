// The client's top level: parse, dispatch to a lazily loaded command, turn failures into messages and exit codes.
// Only parsing and the table load up front: the HTTP client, the help text and each command come when used.
import type { Api } from './api.js';
import { parseArgs, wantsJson } from './args.js';
import type { Context } from './context.js';
import { ApiError, ClientError, EXIT } from './errors.js';
import { COMMANDS } from './registry.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** The terminal's width when stdout is one; tables are fitted to it. */
  columns?: number | undefined;
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: Io,
): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    const { command, global } = parsed;
    if (global.version) {
      const { clientVersion } = await import('./version.js');
      io.out(`emb-client ${clientVersion()}\n`);
      return EXIT.ok;
    }
    // A bare emb-client is a request for help, not a mistake.
    if (command === undefined || global.help) {
      const { commandHelp, usageText } = await import('./help.js');
      io.out((command === undefined ? undefined : commandHelp(command)) ?? usageText());
      return EXIT.ok;
    }
    const def = COMMANDS[command] as NonNullable<(typeof COMMANDS)[string]>;
    let api: Api | undefined;
    const ctx: Context = {
      parsed,
      env,
      cwd,
      api: async () => {
        if (api) return api;
        const [{ Api }, { resolveConnection }] = await Promise.all([
          import('./api.js'),
          import('./connection.js'),
        ]);
        return (api ??= new Api(await resolveConnection(global, env)));
      },
      out: io.out,
      width: io.columns,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
    const run = (await def.load()).default;
    return await run(ctx);
  } catch (err) {
    return report(err, wantsJson(argv), io);
  }
}

/** A failure as a message on stderr, or as one JSON object with --json, and its exit code. */
function report(err: unknown, json: boolean, io: Io): number {
  const known = err instanceof ClientError;
  const exitCode = known ? err.exitCode : EXIT.api;
  const message = known
    ? err.message
    : `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  if (!json) {
    io.err(`emb-client: ${message}\n`);
    return exitCode;
  }
  const error: Record<string, unknown> =
    err instanceof ApiError
      ? { code: err.code, status: err.status, message: err.detail }
      : { code: known ? err.code : 'EMB_CLIENT_UNEXPECTED', message };
  io.err(`${JSON.stringify({ error: { ...error, exitCode } })}\n`);
  return exitCode;
}
