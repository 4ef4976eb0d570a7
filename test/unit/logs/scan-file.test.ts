import t from 'tap';
import path from 'node:path';
import { Diagnoser } from '../../../agent/diagnose/diagnose.js';
import { scanFile } from '../../../agent/logs/scan-file.js';

const diagnoser = new Diagnoser();

t.test('a whole ended log in one go', async (t) => {
  const dir = t.testdir({
    'a.out': [
      'Wrote shard shard-2-000001.tar',
      "ModuleNotFoundError: No module named 'src'",
      'Received SIGTERM, saving checkpoint',
      'slurmstepd: error: *** JOB 77 ON n1 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***',
    ].join('\n'),
  });
  const r = await scanFile(path.join(dir, 'a.out'), { diagnoser });
  t.equal(r.missing, false);
  t.equal(r.partial, false);
  t.equal(r.checkpointSeen, true);
  t.equal(r.progressLines, 1);
  t.equal(r.diagnosis?.cause, 'python-path', 'a fatal environment error outranks the time limit');
  t.match(r.endLine, /DUE TO TIME LIMIT/, 'the unterminated last line counts');
});

t.test('a missing log', async (t) => {
  const r = await scanFile(path.join(t.testdir({}), 'none.out'), { diagnoser });
  t.equal(r.missing, true);
  t.equal(r.checkpointSeen, false);
});

t.test('a log larger than the bound is read at its head and its end', async (t) => {
  const filler = 'training step\n'.repeat(100_000);
  const dir = t.testdir({
    'big.out': `CUDA out of memory in the head\n${filler}middle: Received SIGTERM\n${filler}Checkpoint saved at the end\n`,
  });
  const r = await scanFile(path.join(dir, 'big.out'), { diagnoser, maxBytes: 256 * 1024 });
  t.equal(r.partial, true);
  t.equal(r.diagnosis?.cause, 'cuda-oom');
  t.equal(r.checkpointSeen, true);
  t.match(r.checkpointLine, /at the end/);
  t.ok(r.bytesRead <= 256 * 1024 + 64, 'no more than the bound is read');
});
