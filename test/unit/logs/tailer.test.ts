import t from 'tap';
import { appendFileSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LogTailer } from '../../../agent/logs/tailer.js';

function logPath(test: { testdir: typeof t.testdir }, content = ''): string {
  const dir = test.testdir({ 'job.out': content });
  return path.join(dir, 'job.out');
}

t.test('reads only what was appended, carrying a partial line', async (t) => {
  const p = logPath(t, 'one\ntw');
  const tail = new LogTailer(p);
  let r = await tail.read();
  t.same(r.lines, ['one']);
  t.equal(r.bytesRead, 6);
  appendFileSync(p, 'o\nthree\n');
  r = await tail.read();
  t.same(r.lines, ['two', 'three']);
  t.equal(tail.offset, 14);
  r = await tail.read();
  t.same(r.lines, []);
  t.equal(r.bytesRead, 0, 'an idle read reads nothing');
});

t.test('CRLF and carriage-return progress bars split into lines', async (t) => {
  const p = logPath(t, 'a\r\nb\r 10%\r 20%\r 30%\nc\n');
  t.same((await new LogTailer(p).read()).lines, ['a', 'b', ' 10%', ' 20%', ' 30%', 'c']);
});

t.test('a multi-byte character split between reads survives', async (t) => {
  const p = logPath(t);
  const tail = new LogTailer(p);
  const bytes = Buffer.from('Epoch 3 ██ done\n');
  writeFileSync(p, bytes.subarray(0, 9));
  t.same((await tail.read()).lines, []);
  appendFileSync(p, bytes.subarray(9));
  t.same((await tail.read()).lines, ['Epoch 3 ██ done']);
});

t.test('truncation restarts at the beginning', async (t) => {
  const p = logPath(t, 'first attempt line 1\nfirst attempt line 2\n');
  const tail = new LogTailer(p);
  await tail.read();
  writeFileSync(p, 'new\n');
  const r = await tail.read();
  t.ok(r.truncated);
  t.same(r.lines, ['new']);
});

t.test('truncated and rewritten past the old offset is still noticed', async (t) => {
  const p = logPath(t, 'attempt 1: started\n');
  const tail = new LogTailer(p);
  await tail.read();
  writeFileSync(p, 'attempt 2: started on node b7\nReceived SIGTERM, saving checkpoint\n');
  const r = await tail.read();
  t.ok(r.truncated);
  t.same(r.lines, ['attempt 2: started on node b7', 'Received SIGTERM, saving checkpoint']);
});

t.test('a file replaced by another (rotation) restarts on the new one', async (t) => {
  const p = logPath(t, 'old 1\n');
  const tail = new LogTailer(p);
  await tail.read();
  const next = `${p}.new`;
  writeFileSync(next, 'fresh 1\nfresh 2\n');
  renameSync(next, p);
  const r = await tail.read();
  t.ok(r.rotated);
  t.notOk(r.truncated);
  t.same(r.lines, ['fresh 1', 'fresh 2']);
});

t.test('missing, then created, then removed and recreated', async (t) => {
  const dir = t.testdir({});
  const p = path.join(dir, 'later.out');
  const tail = new LogTailer(p);
  t.ok((await tail.read()).missing);
  writeFileSync(p, 'hello\n');
  let r = await tail.read();
  t.notOk(r.rotated, 'first appearance is not a rotation');
  t.same(r.lines, ['hello']);
  rmSync(p);
  t.ok((await tail.read()).missing);
  writeFileSync(p, 'again\n');
  r = await tail.read();
  t.ok(r.rotated, 'a recreated file is read from its start, even with the same inode number and size');
  t.same(r.lines, ['again']);
});

t.test('a huge line is cut and marked, never buffered whole', async (t) => {
  const p = logPath(t);
  const tail = new LogTailer(p, { maxLineBytes: 1024, maxReadBytes: 4096 });
  writeFileSync(p, 'before\n');
  appendFileSync(p, 'x'.repeat(50_000));
  const lines: string[] = [];
  let cut = 0;
  for (let i = 0; i < 20; i++) {
    const r = await tail.read();
    lines.push(...r.lines);
    cut += r.cutLines;
    if (!r.more) break;
  }
  appendFileSync(p, 'y'.repeat(10) + '\nafter\n');
  const r = await tail.read();
  lines.push(...r.lines);
  t.equal(cut, 1);
  t.equal(lines.length, 3);
  t.equal(lines[0], 'before');
  t.match(lines[1], /^x{1024} …\[line cut at 1024 bytes\]$/);
  t.equal(lines[2], 'after', 'the rest of the cut line is skipped');
});

t.test('a long line that fits is joined across reads', async (t) => {
  const p = logPath(t);
  const tail = new LogTailer(p, { maxLineBytes: 64 * 1024, maxReadBytes: 1000 });
  writeFileSync(p, `${'z'.repeat(5000)}\n`);
  const lines: string[] = [];
  for (let r = await tail.read(); ; r = await tail.read()) {
    lines.push(...r.lines);
    if (!r.more) break;
  }
  t.same(lines, ['z'.repeat(5000)]);
});

t.test('maxReadBytes bounds one read and `more` says there is more', async (t) => {
  const p = logPath(t, Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n');
  const tail = new LogTailer(p, { maxReadBytes: 1000 });
  const r = await tail.read();
  t.ok(r.bytesRead <= 1000);
  t.ok(r.more);
  let total = r.lines.length;
  for (let i = 0; i < 100; i++) {
    const n = await tail.read();
    total += n.lines.length;
    if (!n.more) break;
  }
  t.equal(total, 1000);
});

t.test('binary content and invalid UTF-8 neither crash nor flood', async (t) => {
  const p = logPath(t);
  const junk = Buffer.alloc(200_000);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256 === 10 ? 0 : (i * 7919) % 256;
  writeFileSync(
    p,
    Buffer.concat([Buffer.from('start\n'), junk, Buffer.from('\nbad \xff\xfe utf8\n', 'latin1')]),
  );
  const tail = new LogTailer(p, { maxLineBytes: 4096 });
  const lines: string[] = [];
  for (let r = await tail.read(); ; r = await tail.read()) {
    lines.push(...r.lines);
    if (!r.more) break;
  }
  t.equal(lines[0], 'start');
  t.ok(
    lines.slice(1, -1).every((l) => /^\[binary data, \d+ bytes\]/.test(l)),
    'binary lines become placeholders',
  );
  t.equal(lines.at(-1), 'bad \ufffd\ufffd utf8');
  t.ok(lines.every((l) => l.length < 4200));
});

t.test('NUL bytes and colour codes are dropped from text lines', async (t) => {
  const p = logPath(t, 'ok\u0000\u0000 line\n\u001b[31mERROR\u001b[0m: CUDA out of memory\n');
  t.same((await new LogTailer(p).read()).lines, ['ok line', 'ERROR: CUDA out of memory']);
});

t.test("startAt 'end' skips what is there", async (t) => {
  const p = logPath(t, 'old\nold\n');
  const tail = new LogTailer(p, { startAt: 'end' });
  t.same((await tail.read()).lines, []);
  appendFileSync(p, 'new\n');
  t.same((await tail.read()).lines, ['new']);
});

t.test('takePartial returns an unterminated last line once', async (t) => {
  const p = logPath(t, 'done\nslurmstepd: error: *** JOB 12 ON n1 CANCELLED AT 2026-01-01T00:00:00 ***');
  const tail = new LogTailer(p);
  t.same((await tail.read()).lines, ['done']);
  t.match(tail.takePartial(), /CANCELLED AT/);
  t.equal(tail.takePartial(), null);
});

t.test('a truncation to zero followed by the same length is read again after growth', async (t) => {
  const p = logPath(t, 'aaaa\n');
  const tail = new LogTailer(p);
  await tail.read();
  truncateSync(p, 0);
  t.ok((await tail.read()).truncated);
  appendFileSync(p, 'bbbb\n');
  t.same((await tail.read()).lines, ['bbbb']);
});

t.test('rewritten in place with the same size is noticed by mtime and signature', async (t) => {
  const p = logPath(t, 'attempt 1\n');
  const tail = new LogTailer(p);
  await tail.read();
  writeFileSync(p, 'attempt 2\n');
  const later = new Date(Date.now() + 5000);
  utimesSync(p, later, later);
  const r = await tail.read();
  t.ok(r.truncated);
  t.same(r.lines, ['attempt 2']);
  const touched = new Date(Date.now() + 10_000);
  utimesSync(p, touched, touched);
  const again = await tail.read();
  t.notOk(again.truncated, 'a touch alone changes nothing');
  t.same(again.lines, []);
});
