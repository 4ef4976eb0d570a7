// A corpus of bad log bytes through every reader: LogTailer, scanFile, LogWatch (poll, flush, tail) and
// tailFile. NUL bytes, invalid UTF-8, a 20 MB line without a newline, CRLF and bare CR, a sparse file of
// zeros, a file truncated and rewritten between reads, and paths that are no regular file. No reader throws
// anything but an agent error, none hangs, every line stays within the line bound, and lines that are text
// read as text.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Diagnoser } from '../../../agent/diagnose/diagnose.js';
import { silentLogger } from '../../../agent/log.js';
import { LogTailer } from '../../../agent/logs/tailer.js';
import { LogWatch, type LogEvent } from '../../../agent/logs/log-watch.js';
import { scanFile } from '../../../agent/logs/scan-file.js';
import { tailFile } from '../../../agent/logs/tail-text.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const MB = 1024 * 1024;
const MAX_LINE = 64 * 1024;
/** A cut line is the line bound plus the marker " …[line cut at N bytes]". */
const LINE_BOUND = MAX_LINE + 64;
const diagnoser = new Diagnoser();

const bytes = (...parts: (string | Buffer)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));

/** The bad inputs, each with the text lines a reader must still find in it. */
const CORPUS: { name: string; content: Buffer; finds: string[] }[] = [
  {
    name: 'nul-bytes',
    content: bytes('before\n', Buffer.alloc(5000), '\nok\u0000\u0000 line\n'),
    finds: ['before', 'ok line'],
  },
  {
    name: 'invalid-utf8',
    content: bytes('a \xff\xfe b\n', Buffer.from([0xc3, 0x28, 0x0a, 0xe2, 0x82, 0x0a]), 'Wrote shard 3\n'),
    finds: ['Wrote shard 3'],
  },
  {
    name: 'huge-line',
    content: bytes('start\n', Buffer.alloc(20 * MB, 'x'), '\nWorker: SIGTERM received, saved checkpoint\n'),
    finds: ['start', 'Worker: SIGTERM received, saved checkpoint'],
  },
  {
    name: 'huge-line-no-newline',
    content: bytes('OSError: [Errno 122] Disk quota exceeded\n', Buffer.alloc(20 * MB, 'y')),
    finds: ['OSError: [Errno 122] Disk quota exceeded'],
  },
  {
    name: 'crlf-and-cr',
    content: bytes('epoch 1\r\nepoch 2\r\n 10%|#    |\r 50%|#####|\rCUDA out of memory\r\n'),
    finds: ['epoch 1', 'epoch 2', 'CUDA out of memory'],
  },
  {
    name: 'binary-junk',
    content: bytes(
      'head\n',
      Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256)),
      '\ntail line\n',
    ),
    finds: ['head', 'tail line'],
  },
  { name: 'only-newlines', content: Buffer.alloc(100_000, '\n'), finds: [] },
  { name: 'empty', content: Buffer.alloc(0), finds: [] },
  {
    name: 'ansi-and-controls',
    content: bytes('\u001b[31mERROR\u001b[0m: No module named src\n\u0007\u0008bell\n'),
    finds: ['ERROR: No module named src'],
  },
];

function checkLines(t: Test, where: string, lines: readonly string[]): void {
  const long = lines.filter((l) => l.length > LINE_BOUND);
  t.same(long.length, 0, `${where}: every line within the bound`);
  t.notOk(
    lines.some((l) => l.includes('\u0000')),
    `${where}: no NUL reaches a line`,
  );
}

t.test('LogTailer: bounded reads, bounded lines, text found', async (t) => {
  const dir = t.testdir();
  for (const c of CORPUS) {
    const file = path.join(dir, c.name);
    writeFileSync(file, c.content);
    const tailer = new LogTailer(file, { maxLineBytes: MAX_LINE, maxReadBytes: MB });
    const lines: string[] = [];
    for (;;) {
      const r = await tailer.read();
      t.ok(r.bytesRead <= MB + 8, `${c.name}: one read stays within maxReadBytes`);
      lines.push(...r.lines);
      if (!r.more) break;
    }
    const last = tailer.takePartial();
    if (last !== null) lines.push(last);
    checkLines(t, c.name, lines);
    for (const want of c.finds) t.ok(lines.includes(want), `${c.name}: finds ${JSON.stringify(want)}`);
    t.equal(tailer.offset, c.content.length, `${c.name}: read to the end`);
  }
});

t.test('scanFile: a bounded read of any log, markers and errors still found', async (t) => {
  const dir = t.testdir();
  for (const c of CORPUS) {
    const file = path.join(dir, c.name);
    writeFileSync(file, c.content);
    const r = await scanFile(file, { diagnoser, maxBytes: 8 * MB });
    t.ok(r.bytesRead <= 8 * MB + 1024, `${c.name}: at most maxBytes read (${r.bytesRead})`);
    t.equal(r.missing, false);
  }
  const scan = (name: string) => scanFile(path.join(dir, name), { diagnoser, maxBytes: 64 * MB });
  t.equal((await scan('huge-line')).checkpointSeen, true, 'a checkpoint after a 20 MB line');
  t.equal((await scan('huge-line')).cutLines, 1, 'the 20 MB line is one cut line');
  t.equal((await scan('huge-line-no-newline')).diagnosis?.cause, 'disk-quota');
  t.equal((await scan('crlf-and-cr')).diagnosis?.cause, 'cuda-oom');
  t.ok((await scan('crlf-and-cr')).progressLines >= 2, 'CRLF epochs count as progress');

  // A sparse 2 GiB file of zeros: read at its head and its end, never whole.
  const sparse = path.join(dir, 'sparse');
  writeFileSync(sparse, 'first line\n');
  truncateSync(sparse, 2 * 1024 * MB);
  appendFileSync(sparse, '\nslurmstepd: error: *** JOB 9 ON n1 CANCELLED AT 2026-01-01T00:00:00 ***\n');
  const r = await scanFile(sparse, { diagnoser, maxBytes: 8 * MB });
  t.equal(r.partial, true);
  t.ok(r.bytesRead <= 8 * MB + 1024, `read ${r.bytesRead} bytes of 2 GiB`);
  t.match(r.endLine, /CANCELLED AT/, 'the end banner after the zeros is found');
});

t.test('LogWatch: bad bytes arriving cycle by cycle, a truncation and a rewrite', async (t) => {
  const dir = t.testdir();
  const events: LogEvent[] = [];
  const lw = new LogWatch({
    clock: new FakeClock(),
    logger: silentLogger(),
    diagnoser,
    onLogEvent: (e) => events.push(e),
    pollSeconds: 30,
    mode: 'poll',
    maxBytesPerCycle: 4 * MB,
    maxLineBytes: MAX_LINE,
  });
  const log = path.join(dir, 'task.out');
  writeFileSync(log, '');
  lw.track('k', [log]);
  for (const c of CORPUS) {
    appendFileSync(log, c.content);
    // A 20 MB append takes several bounded cycles.
    for (let i = 0; i < 8; i++) await lw.pollOnce();
  }
  let st = await lw.flush('k');
  t.equal(
    st.offsets[log],
    CORPUS.reduce((n, c) => n + c.content.length, 0),
    'everything read',
  );
  t.equal(st.checkpointSeen, true);
  t.equal(st.cutLines, 2, 'both 20 MB lines cut once');
  t.ok(
    events.every((e) => e.line.length <= 400 && !e.line.includes('\u0000')),
    'event lines are short text',
  );
  t.ok(events.some((e) => e.diagnosis?.cause === 'disk-quota'));

  // Truncated and rewritten between two reads: shorter, then the same length with other bytes.
  writeFileSync(log, 'rewritten: Wrote shard 1\n');
  await lw.pollOnce();
  writeFileSync(log, 'REWRITTEN: Wrote shard 2\n');
  // The kernel's coarse clock may give both writes one mtime: make the second one visibly later.
  utimesSync(log, new Date(), new Date(Date.now() + 60_000));
  await lw.pollOnce();
  st = await lw.flush('k');
  t.equal(st.offsets[log], 'REWRITTEN: Wrote shard 2\n'.length, 'restarted on the rewritten file');
  t.match(st.lastProgressLine, /REWRITTEN: Wrote shard 2/, 'the rewrite was read, not skipped');

  const text = await lw.tail('k', 1024 * MB);
  t.ok(text.length <= MB, 'tail serves at most 1 MiB whatever is asked');
  await lw.stop();
});

t.test('tailFile: the end of a 20 MB line, binary and invalid UTF-8 as text', async (t) => {
  const dir = t.testdir();
  for (const c of CORPUS) {
    const file = path.join(dir, c.name);
    writeFileSync(file, c.content);
    const text = (await tailFile(file, 4096)) ?? '';
    t.ok(Buffer.byteLength(text) <= 3 * 4096, `${c.name}: bounded (${text.length})`);
    t.notOk(text.includes('\u0000'), `${c.name}: no NUL`);
  }
  t.match(await tailFile(path.join(dir, 'crlf-and-cr'), 4096), /CUDA out of memory/);
  t.equal(await tailFile(path.join(dir, 'huge-line-no-newline'), 10), 'yyyyyyyyyy');
});

t.test('a log path that is a folder, a FIFO or a device: nothing to read, no error, no hang', async (t) => {
  const dir = t.testdir();
  const folder = path.join(dir, 'logs');
  mkdirSync(folder);
  const fifo = path.join(dir, 'fifo.out');
  execFileSync('mkfifo', [fifo]);
  for (const p of [folder, fifo, '/dev/zero', '/dev/null']) {
    const r = await new LogTailer(p).read();
    t.equal(r.missing, true, `${p}: tailer reports nothing there`);
    t.equal((await scanFile(p, { diagnoser })).missing, true, `${p}: scan reads nothing`);
    t.equal(await tailFile(p, 4096), null, `${p}: tail finds no log`);
  }
  const lw = new LogWatch({
    clock: new FakeClock(),
    logger: silentLogger(),
    diagnoser,
    onLogEvent: () => undefined,
    pollSeconds: 30,
    mode: 'poll',
  });
  lw.track('k', [folder, fifo, '/dev/zero']);
  await lw.pollOnce();
  const st = await lw.flush('k');
  t.equal(st.missing.length, 3);
  t.equal(st.bytesRead, 0);
  t.equal(
    await lw.tail('k', 100),
    `==> ${folder} (not found) <==\n\n\n==> ${fifo} (not found) <==\n\n\n==> /dev/zero (not found) <==\n`,
  );
  // The folder becomes a regular file: read from its start as a new file.
  execFileSync('rm', ['-r', folder]);
  writeFileSync(folder, 'now a file: Wrote shard 7\n');
  await lw.pollOnce();
  t.match((await lw.flush('k')).lastProgressLine, /Wrote shard 7/);
  await lw.stop();
});
