// `emb-agent check`: validates the environment the config points at, and says exactly what is wrong.
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config/load.js';
import { describeError } from './errors.js';
import { silentLogger } from './log.js';
import { EXIT } from './service/exit-codes.js';
import { Lease } from './service/lease.js';
import { describeHolder } from './service/lease-body.js';
import { stateCheckFor, stateProblems } from './service/state-guard.js';
import { SlurmAdapter } from './slurm/adapter.js';
import { versionSupport } from './slurm/version.js';
import { checkTokensConfig } from './tokens/index.js';
import { detectFsKind } from './watch/fs-kind.js';

type Say = (line: string) => void;

async function folder(say: Say, what: string, p: string, writable: boolean): Promise<boolean> {
  const probe = p.endsWith('/*') ? p.slice(0, -2) : p;
  try {
    const st = await stat(probe);
    if (!st.isDirectory()) {
      say(`FAIL ${what}: ${probe} is not a folder`);
      return false;
    }
    if (writable) await access(probe, constants.W_OK);
    say(`ok   ${what}: ${probe} (${await detectFsKind(probe)})`);
    return true;
  } catch (err) {
    say(`FAIL ${what}: ${probe}: ${describeError(err)}`);
    return false;
  }
}

export async function runCheck(config: Config, say: Say): Promise<number> {
  let ok = true;
  say(`ok   config: ${config.configPath ?? 'no config file; built-in defaults'}`);
  const scheduler = new SlurmAdapter({
    timeoutMs: config.slurm.commandTimeoutSeconds * 1000,
    binDir: config.slurm.binDir,
    user: config.env.user,
    logger: silentLogger(),
  });
  try {
    const v = await scheduler.version();
    const support = versionSupport(v);
    if (support.level === 'unsupported') {
      ok = false;
      say(`FAIL slurm: version ${v.text}: ${support.text}`);
    } else say(`${support.level === 'newer' ? 'warn' : 'ok  '} slurm: version ${v.text}, ${support.text}`);
    await scheduler.queue();
    say('ok   slurm: squeue answers');
  } catch (err) {
    ok = false;
    say(`FAIL slurm: ${describeError(err)}`);
  }
  ok = (await folder(say, 'workRoot', config.workRoot, false)) && ok;
  ok = (await folder(say, 'watch.logsDir', config.watch.logsDir, false)) && ok;
  for (const d of config.watch.shardDirs) {
    const parent = d.path.endsWith('/*') ? d.path : path.dirname(d.path);
    ok = (await folder(say, 'watch.shardDirs', parent, false)) && ok;
  }
  const unsafe = stateProblems(stateCheckFor(config));
  for (const p of unsafe) say(`FAIL state: ${p}`);
  ok = ok && unsafe.length === 0;
  const stateFs = await detectFsKind(config.stateDir);
  say(
    `ok   stateDir: ${config.stateDir} (${stateFs}; SQLite journal: ${stateFs === 'local' ? 'WAL' : 'rollback, exclusive lock'})`,
  );
  try {
    const st = await stat(config.api.tokenFile);
    if ((st.mode & 0o077) !== 0) {
      ok = false;
      say(
        `FAIL api token: ${config.api.tokenFile} is readable by others (mode ${(st.mode & 0o777).toString(8)}); the agent replaces it at start`,
      );
    } else say(`ok   api token: ${config.api.tokenFile}`);
  } catch {
    say(`ok   api token: ${config.api.tokenFile} will be created at first start`);
  }
  const tokenProblems = await checkTokensConfig(config.tokens);
  for (const p of tokenProblems) say(`FAIL ${p}`);
  ok = ok && tokenProblems.length === 0;
  if (config.tokens.collections.length) {
    ok = (await folder(say, 'tokens.outDir parent', path.dirname(config.tokens.outDir), true)) && ok;
  }
  const lease = await Lease.read(path.join(config.stateDir, 'agent.lease')).catch(() => null);
  say(lease ? `info lease: ${describeHolder(lease, Date.now())}` : 'info lease: no agent holds it');
  say(ok ? 'everything checked is in order' : 'problems found: see FAIL lines above');
  return ok ? EXIT.OK : EXIT.UNEXPECTED;
}
