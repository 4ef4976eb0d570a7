// `emb-agent check`: validates the environment the config points at, the way `run` will meet it, and says
// exactly what is wrong: FAIL for what run refuses or cannot work without, warn for what it works around.
// `--json` prints the same findings as {ok, findings: [{level, what, message}]}.
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { probeListen, probeSasApi, type Finding, type Level } from './check-probes.js';
import type { Config } from './config/load.js';
import { describeError } from './errors.js';
import { silentLogger } from './log.js';
import { EXIT } from './service/exit-codes.js';
import { describeHolder } from './service/lease-body.js';
import { readLease } from './service/lease-file.js';
import { stateCheckFor, stateProblems } from './service/state-guard.js';
import { SlurmAdapter } from './slurm/adapter.js';
import { versionSupport } from './slurm/version.js';
import { checkTokensConfig } from './tokens/index.js';
import { detectFsKind } from './fs/fs-kind.js';
import { leaseFilePath } from '../shared/contract.js';

export type { Finding } from './check-probes.js';

type Add = (level: Level, what: string, message: string) => void;

/**
 * A folder the agent reads (or writes). Missing is a warning where run copes (it watches for the folder to
 * appear; jobs create logs/ and outputs/), a failure where it needs it (writable: it writes there).
 */
async function folder(add: Add, what: string, p: string, need: 'read' | 'write' | 'optional'): Promise<void> {
  const probe = p.endsWith('/*') ? p.slice(0, -2) : p;
  try {
    const st = await stat(probe);
    if (!st.isDirectory()) return add('fail', what, `${probe} is not a folder`);
    if (need === 'write') await access(probe, constants.W_OK);
    add('ok', what, `${probe} (${await detectFsKind(probe)})`);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing && need === 'optional') {
      return add(
        'warn',
        what,
        `${probe} does not exist yet; the agent watches for it (create it, or fix the path)`,
      );
    }
    add('fail', what, `${probe}: ${describeError(err)}`);
  }
}

async function slurm(add: Add, config: Config): Promise<void> {
  const scheduler = new SlurmAdapter({
    timeoutMs: config.slurm.commandTimeoutSeconds * 1000,
    binDir: config.slurm.binDir,
    user: config.env.user,
    logger: silentLogger(),
  });
  try {
    const v = await scheduler.version();
    const support = versionSupport(v);
    if (support.level === 'unsupported') add('fail', 'slurm', `version ${v.text}: ${support.text}`);
    else add(support.level === 'newer' ? 'warn' : 'ok', 'slurm', `version ${v.text}, ${support.text}`);
    await scheduler.queue();
    add('ok', 'slurm', 'squeue answers');
  } catch (err) {
    add('fail', 'slurm', describeError(err));
  }
}

async function apiToken(add: Add, file: string): Promise<void> {
  try {
    const st = await stat(file);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8);
      add(
        'fail',
        'api token',
        `${file} is readable by others (mode ${mode}); the agent replaces it at start`,
      );
    } else add('ok', 'api token', file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return add('fail', 'api token', describeError(err));
    add('ok', 'api token', `${file} will be created at first start`);
  }
}

/** Every finding, in the order the text output prints them. */
async function checkFindings(config: Config): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add: Add = (level, what, message) => void findings.push({ level, what, message });
  add('ok', 'config', config.configPath ?? 'no config file; built-in defaults');
  await slurm(add, config);
  await folder(add, 'workRoot', config.workRoot, 'optional');
  await folder(add, 'watch.logsDir', config.watch.logsDir, 'optional');
  for (const d of config.watch.shardDirs) {
    await folder(add, 'watch.shardDirs', d.path.endsWith('/*') ? d.path : path.dirname(d.path), 'optional');
  }
  for (const p of stateProblems(stateCheckFor(config))) add('fail', 'state', p);
  const stateFs = await detectFsKind(config.stateDir);
  const journal = stateFs === 'local' ? 'WAL' : 'rollback, exclusive lock';
  add('ok', 'stateDir', `${config.stateDir} (${stateFs}; SQLite journal: ${journal})`);
  await apiToken(add, config.api.tokenFile);
  const lease = await readLease(leaseFilePath(config.stateDir)).catch(() => null);
  findings.push(await probeListen(config, lease));
  for (const p of await checkTokensConfig(config.tokens)) add('fail', 'tokens', p);
  if (config.tokens.collections.length) {
    await folder(add, 'tokens.outDir parent', path.dirname(config.tokens.outDir), 'write');
    const sas = await probeSasApi(config);
    if (sas) findings.push(sas);
  }
  add('info', 'lease', lease ? describeHolder(lease, Date.now()) : 'no agent holds it');
  return findings;
}

export async function runCheck(
  config: Config,
  say: (line: string) => void,
  opts: { json?: boolean } = {},
): Promise<number> {
  const findings = await checkFindings(config);
  const ok = findings.every((f) => f.level !== 'fail');
  if (opts.json) {
    say(JSON.stringify({ ok, findings }, null, 2));
  } else {
    const tag: Record<Level, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: 'info' };
    for (const f of findings) say(`${tag[f.level]} ${f.what}: ${f.message}`);
    say(ok ? 'everything checked is in order' : 'problems found: see FAIL lines above');
  }
  return ok ? EXIT.OK : EXIT.UNEXPECTED;
}
