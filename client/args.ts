// Command-line parsing: global options anywhere before "--", per-command options (from the registry),
// positionals.
import { UsageError } from './errors.js';
import { COMMANDS, GLOBAL_OPTIONS } from './registry.js';

export interface GlobalOptions {
  /** A named agent from the client config's contexts. */
  context: string | undefined;
  config: string | undefined;
  url: string | undefined;
  tokenFile: string | undefined;
  json: boolean;
  /** Validate replies against the API's zod schemas (slower: loads zod). */
  check: boolean;
  help: boolean;
  version: boolean;
}

export interface Parsed {
  global: GlobalOptions;
  command: string | undefined;
  /** Command options by long name: a string for options with a value, true for flags. */
  options: Map<string, string | true>;
  positionals: string[];
  /** Everything after "--". */
  passthrough: string[];
}

/** Whether argv asks for JSON (before "--"), known even when parsing it fails: errors are then JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

export function parseArgs(argv: readonly string[]): Parsed {
  const global: GlobalOptions = {
    context: undefined,
    config: undefined,
    url: undefined,
    tokenFile: undefined,
    json: false,
    check: false,
    help: false,
    version: false,
  };
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  let command: string | undefined;
  let passthrough: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      passthrough = argv.slice(i + 1);
      break;
    }
    if (arg === '-h') {
      global.help = true;
      continue;
    }
    if (arg === '-V') {
      global.version = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (command === undefined) {
        command = arg;
        if (!Object.hasOwn(COMMANDS, arg))
          throw new UsageError(`unknown command "${arg}"; see emb-client --help`);
      } else positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const def = Object.hasOwn(GLOBAL_OPTIONS, name)
      ? GLOBAL_OPTIONS[name]
      : command === undefined || !Object.hasOwn(COMMANDS[command]?.options ?? {}, name)
        ? undefined
        : COMMANDS[command]?.options[name];
    if (def === undefined) {
      const where = command === undefined ? '' : ` for ${command}`;
      const hint = command === 'submit' ? ' (sbatch options go after "--")' : '';
      const see = command === undefined ? 'emb-client --help' : `emb-client ${command} --help`;
      throw new UsageError(`unknown option --${name}${where}${hint}; see ${see}`);
    }
    let value: string | true = true;
    if (def.value !== undefined) {
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length && argv[i + 1] !== '--') value = argv[++i] as string;
      else throw new UsageError(`--${name} needs a value`);
    } else if (eq !== -1) throw new UsageError(`--${name} takes no value`);
    if (Object.hasOwn(GLOBAL_OPTIONS, name)) setGlobal(global, name, value);
    else options.set(name, value);
  }
  return { global, command, options, positionals, passthrough };
}

function setGlobal(g: GlobalOptions, name: string, value: string | true): void {
  if (name === 'context') g.context = value as string;
  else if (name === 'config') g.config = value as string;
  else if (name === 'url') g.url = value as string;
  else if (name === 'token-file') g.tokenFile = value as string;
  else if (name === 'json') g.json = true;
  else if (name === 'check') g.check = true;
  else if (name === 'help') g.help = true;
  else if (name === 'version') g.version = true;
}

export function intOption(options: Map<string, string | true>, name: string, min = 1): number | undefined {
  const v = options.get(name);
  if (v === undefined) return undefined;
  // Plain decimal only: Number() would also take 0x10, 1e3 or +5.
  const n = typeof v === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(v) ? Number(v) : NaN;
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} expects a whole number ≥ ${min}, got "${String(v)}"`);
  }
  return n;
}

export function stringOption(options: Map<string, string | true>, name: string): string | undefined {
  const v = options.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** A job id (1234, 1234_7) or #SUBMISSION[:INDEX], as the API's TargetBodySchema accepts. */
export const TARGET_RE = /^([1-9]\d{0,9}(_(0|[1-9]\d{0,6}))?|#[1-9]\d{0,15}(:(0|[1-9]\d{0,6}))?)$/;

export function oneTarget(positionals: string[], command: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `${command} takes one TARGET: a job id (1234, 1234_7) or #SUBMISSION[:INDEX] (#12, #12:7)`,
    );
  }
  const target = positionals[0] as string;
  if (!TARGET_RE.test(target)) {
    throw new UsageError(
      `"${target}" is not a TARGET: expected a job id (1234, 1234_7) or #SUBMISSION[:INDEX] (#12, #12:7)`,
    );
  }
  return target;
}
