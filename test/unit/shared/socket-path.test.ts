// The one rule for the default API socket, as the agent and emb-client both apply it.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { resolveConfig, readRuntimeEnv } from '../../../agent/config/load.js';
import { defaultEndpoint } from '../../../client/connection.js';
import { foreignListeners, parseProcNetTcp } from '../../../client/listener-check.js';
import {
  defaultSocketPlaces,
  privateFolderProblem,
  socketFolderProblem,
} from '../../../shared/socket-path.js';

const uid = process.getuid?.() ?? 0;

function tmp(t: { teardown(fn: () => unknown): void }): string {
  // Short, under /tmp: socket paths are limited to 107 bytes.
  const dir = mkdtempSync('/tmp/emb-sp-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('XDG_RUNTIME_DIR when it is our 0700 folder, /tmp/emb-agent-UID otherwise', async (t) => {
  const dir = tmp(t);
  const rt = path.join(dir, 'run');
  mkdirSync(rt, { mode: 0o700 });
  t.same(
    defaultSocketPlaces({ uid, runtimeDir: rt }).map((p) => p.path),
    [path.join(rt, 'emb-agent/agent.sock'), `/tmp/emb-agent-${uid}/agent.sock`],
  );
  t.same(
    defaultSocketPlaces({ uid, runtimeDir: undefined }).map((p) => p.path),
    [`/tmp/emb-agent-${uid}/agent.sock`],
  );
  const only = (runtimeDir: string) => defaultSocketPlaces({ uid, runtimeDir }).map((p) => p.origin);
  chmodSync(rt, 0o755);
  t.same(only(rt), ['/tmp'], 'a runtime dir others can read is not used');
  chmodSync(rt, 0o700);
  const link = path.join(dir, 'link');
  symlinkSync(rt, link);
  t.same(only(link), ['/tmp'], 'nor a symlink');
  t.same(only(path.join(dir, 'missing')), ['/tmp'], 'nor a missing one');
  t.same(only('relative/run'), ['/tmp'], 'nor a relative one');
  const deep = path.join(dir, 'x'.repeat(90));
  mkdirSync(deep, { mode: 0o700 });
  t.same(only(deep), ['/tmp'], 'nor one whose socket path would pass 107 bytes');
  if (uid === 0) {
    chownSync(rt, 4242, 4242);
    t.same(only(rt), ['/tmp'], "nor another user's");
  }
});

t.test('the agent and the client pick the same default', async (t) => {
  const dir = tmp(t);
  const rt = path.join(dir, 'run');
  mkdirSync(rt, { mode: 0o700 });
  const env = { USER: 'u', HOME: dir, PATH: '/usr/bin', XDG_RUNTIME_DIR: rt };
  const agent = resolveConfig({}, readRuntimeEnv(env), null);
  const client = defaultEndpoint(uid, env);
  t.equal(agent.api.listenText, client.display);
  t.equal(client.display, `unix:${rt}/emb-agent/agent.sock`);
  const noRt = { ...env, XDG_RUNTIME_DIR: '' };
  t.equal(resolveConfig({}, readRuntimeEnv(noRt), null).api.listenText, defaultEndpoint(uid, noRt).display);
});

t.test('folders others can write, or that are not ours, are refused', async (t) => {
  const dir = tmp(t);
  const ok = path.join(dir, 'ok');
  mkdirSync(ok, { mode: 0o700 });
  t.equal(socketFolderProblem(ok, uid), null);
  t.equal(privateFolderProblem(ok, uid), null);
  const open = path.join(dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  t.match(socketFolderProblem(open, uid), /mode 0777: others can write it/);
  chmodSync(open, 0o1777);
  t.match(socketFolderProblem(open, uid), /others can write it/, 'sticky is no excuse for the folder itself');
  const groupWritableAbove = path.join(open, 'inner');
  chmodSync(open, 0o775);
  mkdirSync(groupWritableAbove, { mode: 0o700 });
  t.match(socketFolderProblem(groupWritableAbove, uid), /above .*mode 0775: others can rename/);
  const link = path.join(dir, 'link');
  symlinkSync(ok, link);
  t.match(socketFolderProblem(link, uid), /is a symbolic link/);
  t.match(privateFolderProblem(link, uid), /is a symbolic link/);
  chmodSync(ok, 0o750);
  t.equal(socketFolderProblem(ok, uid), null, 'readable by the group is fine for a socket folder');
  t.match(privateFolderProblem(ok, uid), /mode 0750; it must be 0700/);
  if (uid === 0) {
    const theirs = path.join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 4242, 4242);
    t.match(socketFolderProblem(theirs, uid), /belongs to uid 4242, not to you/);
  }
});

t.test('/proc/net/tcp: who holds a loopback port', async (t) => {
  const tcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:2253 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 1 1',
    '   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1',
    '   2: 0100007F:2253 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1002        0 3 1',
    '   3: 0A00000A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1003        0 4 1',
  ].join('\n');
  const tcp6 = [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1004        0 5 1',
    '   1: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1005        0 6 1',
  ].join('\n');
  t.same(parseProcNetTcp(tcp)[0], { address: [127, 0, 0, 1], port: 8787, uid: 1001 });
  t.equal(parseProcNetTcp(tcp).length, 3, 'only listening sockets');
  t.same(foreignListeners([tcp, tcp6], 8787, 1000), [1001], 'the listener, not a connection');
  t.same(foreignListeners([tcp, tcp6], 8787, 1001), [], 'ours');
  t.same(foreignListeners([tcp, tcp6], 22, 1000), [0], 'a wildcard listener is reachable on loopback');
  t.same(foreignListeners([tcp, tcp6], 8080, 1000), [1004], '::1, not 10.0.0.10');
  t.same(foreignListeners([tcp, tcp6], 8081, 1000), [1005], '::ffff:127.0.0.1');
});
