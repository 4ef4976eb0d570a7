// SAS token files can't be redirected, played with two Unix accounts: emb-mallory prepares a folder (or a
// symlink) where emb-alice's tokens.outDir will go, in the shared sticky /tmp; alice's agent refuses to write
// there, writes nothing into mallory's folder and chmods nothing of hers. A folder on the way replaced by a
// link after the agent checked it is caught at the next write.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { silentLogger } from '../../agent/log.js';
import { parseCollection } from '../../agent/tokens/names.js';
import { TokenStore } from '../../agent/tokens/token-store.js';
import { AGENT_CLI, freePort } from '../helpers/agent-process.js';
import { OTHER, VICTIM, ensureUser, runAs, usersProblem, type TestUser } from '../helpers/users.js';

const record = {
  collection: 'usda-cdl',
  account: 'landcoverdata',
  container: 'usda-cdl',
  token: 'st=a&se=b&sp=rl&sv=2024-05-04&sr=c&sig=c2lnbmF0dXJl',
  expiry: '2026-01-01T12:45:30Z',
  expiryEpoch: 1767271530,
  fetchedAt: '2026-01-01T12:00:30Z',
};

function users(t: Test): { alice: TestUser; mallory: TestUser } | null {
  const problem = usersProblem();
  if (problem) {
    t.plan(0, problem);
    return null;
  }
  return { alice: ensureUser(VICTIM), mallory: ensureUser(OTHER) };
}

/** Starts alice's agent with tokens.outDir at `outDir`; it is expected to refuse. */
async function aliceAgent(
  t: Test,
  alice: TestUser,
  outDir: string,
): Promise<{ code: number | null; out: string }> {
  const dir = path.join(alice.home, `token-path-${process.pid}-${path.basename(outDir)}`);
  mkdirSync(path.join(dir, 'work'), { recursive: true });
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    stringify({
      workRoot: path.join(dir, 'work'),
      stateDir: path.join(dir, 'state'),
      api: { listen: `127.0.0.1:${await freePort()}` },
      tokens: { collections: ['usda-cdl'], outDir, apiBase: 'http://127.0.0.1:9/api/sas/v1' },
    }),
  );
  execFileSync('chown', ['-R', `${alice.uid}:${alice.gid}`, dir]);
  chmodSync(alice.home, 0o700);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runAs(alice, [process.execPath, AGENT_CLI, 'run', '--config', config], {
    timeoutMs: 60_000,
  });
  return { code: r.code, out: r.stdout + r.stderr };
}

t.test("a folder of mallory's on the way: refused, nothing written or chmod-ed there", async (t) => {
  const u = users(t);
  if (!u) return;
  const trap = `/tmp/emb-sas-${process.pid}`;
  mkdirSync(trap, { mode: 0o777 });
  chmodSync(trap, 0o777);
  chownSync(trap, u.mallory.uid, u.mallory.gid);
  t.teardown(() => rmSync(trap, { recursive: true, force: true }));
  const r = await aliceAgent(t, u.alice, path.join(trap, 'alice'));
  t.equal(r.code, 2, 'the agent refuses to start');
  t.match(
    r.out,
    `${trap} belongs to uid ${u.mallory.uid}: the agent never writes into another user's folder`,
  );
  t.same(readdirSync(trap), [], "nothing was created in mallory's folder");
  t.equal(statSync(trap).mode & 0o777, 0o777, "mallory's folder was not chmod-ed");
});

t.test("a symlink of mallory's where the token folder goes: refused, not followed", async (t) => {
  const u = users(t);
  if (!u) return;
  const loot = path.join(u.mallory.home, `loot-${process.pid}`);
  mkdirSync(loot, { mode: 0o777 });
  chmodSync(loot, 0o777);
  chownSync(loot, u.mallory.uid, u.mallory.gid);
  chmodSync(u.mallory.home, 0o711);
  const link = `/tmp/emb-sas-link-${process.pid}`;
  symlinkSync(loot, link);
  execFileSync('chown', ['-h', `${u.mallory.uid}:${u.mallory.gid}`, link]);
  t.teardown(() => {
    rmSync(link, { force: true });
    rmSync(loot, { recursive: true, force: true });
  });
  const r = await aliceAgent(t, u.alice, path.join(link, 'sas'));
  t.equal(r.code, 2);
  t.match(r.out, `${link} is a symbolic link of uid ${u.mallory.uid}'s`);
  t.same(readdirSync(loot), [], 'nothing was written through the link');
});

t.test('a folder replaced by a link after the check is caught at the next write', async (t) => {
  const u = users(t);
  if (!u) return;
  const dir = t.testdir();
  const outDir = path.join(dir, 'work', 'tmp', 'sas');
  const store = new TokenStore(outDir, silentLogger(), () => undefined);
  const spec = parseCollection('usda-cdl');
  await store.prepare();
  await store.write(spec, record);
  t.equal(statSync(path.join(outDir, 'usda-cdl.token')).mode & 0o777, 0o600);
  // Someone moves `tmp` away and puts a link to mallory's folder in its place.
  const loot = path.join(u.mallory.home, `loot-swap-${process.pid}`);
  mkdirSync(loot, { recursive: true });
  mkdirSync(path.join(loot, 'sas'));
  execFileSync('chown', ['-R', `${u.mallory.uid}:${u.mallory.gid}`, loot]);
  t.teardown(() => rmSync(loot, { recursive: true, force: true }));
  renameSync(path.join(dir, 'work', 'tmp'), path.join(dir, 'work', 'tmp.old'));
  symlinkSync(loot, path.join(dir, 'work', 'tmp'));
  await t.rejects(store.write(spec, record), {
    code: 'AGENT_ERR_CONFIG',
    message: `${path.join(dir, 'work', 'tmp')} is a symbolic link inside your own folder`,
  });
  t.same(readdirSync(path.join(loot, 'sas')), [], "nothing was written into mallory's folder");
});
