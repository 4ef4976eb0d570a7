// The notifier against a real AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { createLogger, silentLogger } from '../../../agent/log.js';
import { loadUnixDgram, SystemdNotifyTransport } from '../../../agent/service/notify-transport.js';
import { Notifier } from '../../../agent/service/sd-notify.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const PATH = '/usr/local/bin:/usr/bin:/bin';
const loaded = loadUnixDgram();
if (!('module' in loaded))
  throw new Error(`unix-dgram must be built for these tests: ${loaded.error.message}`);
const dgram = loaded.module;
const hasSystemdNotify = spawnSync('systemd-notify', ['--version']).status === 0;
const hasPython = spawnSync('python3', ['--version']).status === 0;

/**
 * A bound receiver; next() resolves with the next datagram (BARRIER=1 from systemd-notify skipped).
 * It lives in a short temp dir, not t.testdir(): a socket path must fit in sun_path (108 bytes).
 */
function receiver(t: Test) {
  const dir = mkdtempSync(path.join(tmpdir(), 'emb-sd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'notify.sock');
  const queue: string[] = [];
  const waiting: ((m: string) => void)[] = [];
  const sock = dgram.createSocket('unix_dgram', (buf) => {
    const m = buf.toString('utf8');
    if (m === 'BARRIER=1') return;
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  sock.bind(file);
  t.teardown(() => sock.close());
  return {
    file,
    next: () =>
      new Promise<string>((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve))),
  };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger('debug', stream), lines };
}

t.test('ready, watchdog and stopping arrive as sd_notify datagrams, with a status line', async (t) => {
  const rx = receiver(t);
  const { logger, lines } = capture();
  const n = new Notifier({ notifySocket: rx.file, watchdogUsec: undefined, path: PATH, logger });
  t.equal(n.enabled, true);
  t.equal(await n.ready('serving on 127.0.0.1:8787'), true);
  t.equal(await rx.next(), 'READY=1\nSTATUS=serving on 127.0.0.1:8787');
  t.equal(await n.watchdog(), true);
  t.equal(await rx.next(), 'WATCHDOG=1');
  await n.stopping('line one\nline two sig=SECRET');
  t.equal(await rx.next(), 'STOPPING=1\nSTATUS=line one line two sig=REDACTED', 'one line, secrets scrubbed');
  const chosen = lines.find((l) => l.msg === 'sd_notify transport chosen');
  t.equal(chosen?.transport, 'datagram', 'the in-process transport is used when the addon is built');
});

t.test('without NOTIFY_SOCKET nothing is sent and nothing is scheduled', async (t) => {
  const rx = receiver(t);
  const clock = new FakeClock();
  const off = new Notifier({
    notifySocket: undefined,
    watchdogUsec: 2_000_000,
    path: PATH,
    logger: silentLogger(),
  });
  t.equal(off.enabled, false);
  t.equal(off.watchdogIntervalMs, undefined);
  t.equal(await off.ready(), false);
  t.equal(await off.watchdog(), false);
  t.equal(await off.stopping(), false);
  const timer = off.startWatchdog(clock);
  t.equal(clock.pending(), 0, 'no pinger timer');
  timer.cancel();
  // A sentinel from a live notifier is the first datagram: the disabled one sent nothing before it.
  const on = new Notifier({
    notifySocket: rx.file,
    watchdogUsec: undefined,
    path: PATH,
    logger: silentLogger(),
  });
  await on.stopping('sentinel');
  t.equal(await rx.next(), 'STOPPING=1\nSTATUS=sentinel');
});

t.test('the watchdog pinger pings every half WATCHDOG_USEC while healthy, until cancelled', async (t) => {
  const rx = receiver(t);
  const clock = new FakeClock();
  const n = new Notifier({
    notifySocket: rx.file,
    watchdogUsec: 2_000_000,
    path: PATH,
    logger: silentLogger(),
  });
  t.equal(n.watchdogIntervalMs, 1000);
  let healthy = true;
  const timer = n.startWatchdog(clock, () => healthy);
  await clock.advance(999);
  await clock.advance(1);
  t.equal(await rx.next(), 'WATCHDOG=1');
  await clock.advance(1000);
  t.equal(await rx.next(), 'WATCHDOG=1');
  healthy = false;
  await clock.advance(1000);
  await n.stopping('after unhealthy tick');
  t.equal(await rx.next(), 'STOPPING=1\nSTATUS=after unhealthy tick', 'no ping while unhealthy');
  healthy = true;
  timer.cancel();
  await clock.advance(5000);
  t.equal(clock.pending(), 0, 'cancel leaves no timer');
  await n.stopping('after cancel');
  t.equal(await rx.next(), 'STOPPING=1\nSTATUS=after cancel', 'no ping after cancel');
});

t.test('no watchdog configured: the pinger is a no-op even under systemd', async (t) => {
  const rx = receiver(t);
  const clock = new FakeClock();
  const n = new Notifier({
    notifySocket: rx.file,
    watchdogUsec: undefined,
    path: PATH,
    logger: silentLogger(),
  });
  n.startWatchdog(clock);
  t.equal(clock.pending(), 0);
});

t.test('a send that fails resolves false and does not throw', async (t) => {
  const dir = t.testdir();
  const n = new Notifier({
    notifySocket: path.join(dir, 'nobody-listens.sock'),
    watchdogUsec: undefined,
    path: PATH,
    logger: silentLogger(),
  });
  t.equal(await n.ready(), false);
  t.equal(await n.watchdog(), false);
});

t.test(
  'the systemd-notify fallback delivers the same messages',
  { skip: !hasSystemdNotify && 'no systemd-notify' },
  async (t) => {
    const rx = receiver(t);
    const n = new Notifier({
      notifySocket: rx.file,
      watchdogUsec: undefined,
      path: PATH,
      logger: silentLogger(),
      transport: new SystemdNotifyTransport(rx.file, PATH),
    });
    t.equal(await n.ready(), true);
    t.equal(await rx.next(), 'READY=1');
    await n.watchdog();
    t.equal(await rx.next(), 'WATCHDOG=1');
    await n.stopping('bye');
    t.equal(await rx.next(), 'STOPPING=1\nSTATUS=bye');
  },
);

t.test(
  'an abstract-namespace NOTIFY_SOCKET ("@name") is reached through systemd-notify',
  { skip: (!hasSystemdNotify || !hasPython) && 'needs systemd-notify and python3' },
  async (t) => {
    const name = `emb-agent-test-${randomUUID()}`;
    // python3 binds the abstract socket (unix-dgram cannot) and prints each datagram on a line.
    const py = spawn('python3', [
      '-u',
      '-c',
      [
        'import socket,sys',
        's=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)',
        `s.bind("\\0${name}")`,
        'print("BOUND")',
        'while True:',
        '  d=s.recv(4096).decode()',
        '  if d!="BARRIER=1": print(d.replace("\\n","|"))',
      ].join('\n'),
    ]);
    t.teardown(() => py.kill());
    const lines: string[] = [];
    const waiting: ((l: string) => void)[] = [];
    let buf = '';
    py.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = waiting.shift();
        if (w) w(line);
        else lines.push(line);
      }
    });
    const next = () => new Promise<string>((r) => (lines.length ? r(lines.shift()!) : waiting.push(r)));
    t.equal(await next(), 'BOUND');
    const { logger, lines: logs } = capture();
    const n = new Notifier({ notifySocket: `@${name}`, watchdogUsec: undefined, path: PATH, logger });
    t.equal(await n.ready('up'), true);
    t.equal(await next(), 'READY=1|STATUS=up');
    await n.stopping();
    t.equal(await next(), 'STOPPING=1');
    t.equal(logs.find((l) => l.msg === 'sd_notify transport chosen')?.transport, 'systemd-notify');
  },
);
