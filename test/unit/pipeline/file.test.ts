// Pipeline files: what a valid one gives (steps after their prerequisites, paths resolved, stable digests),
// and that every refusal names the step and the key.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { parsePipeline } from '../../../agent/pipeline/file.js';
import { isAgentError } from '../../../agent/errors.js';

const GOOD = `
pipeline: emb
cwd: run
steps:
  train:
    sbatch: [--partition=accel, --gpus=1, train.sbatch]
    after: [shards-aef, shards-tessera]
  shards-aef:
    sbatch: [--array=0-7, shards.sbatch, aef]
    doneMarker: out/aef/done-{index}
  shards-tessera:
    sbatch: [--array=0-7, shards.sbatch, tessera]
    cwd: /abs/tessera
  eval:
    sbatch: [eval.sbatch]
    after: [train]
`;

function refusal(t: Test, text: string, pattern: RegExp, what: string): void {
  try {
    parsePipeline(text, '/home/u/p');
    t.fail(`${what}: accepted`);
  } catch (err) {
    t.ok(isAgentError(err, 'AGENT_ERR_BAD_REQUEST'), `${what}: a bad request`);
    t.match((err as Error).message, pattern, what);
  }
}

t.test('a valid file: steps in an order that puts each after its prerequisites', async (t) => {
  const p = parsePipeline(GOOD, '/home/u/p');
  t.equal(p.name, 'emb');
  const order = p.steps.map((s) => s.name);
  t.same(order, ['shards-aef', 'shards-tessera', 'train', 'eval']);
  const byName = new Map(p.steps.map((s) => [s.name, s]));
  t.equal(
    byName.get('shards-aef')?.cwd,
    '/home/u/p/run',
    'relative to the pipeline cwd, itself under the file',
  );
  t.equal(byName.get('shards-tessera')?.cwd, '/abs/tessera', 'an absolute cwd stands');
  t.same(byName.get('train')?.spec.after, ['shards-aef', 'shards-tessera']);
  t.same(byName.get('eval')?.spec.after, ['train']);
  t.equal(byName.get('shards-aef')?.spec.doneMarker, 'out/aef/done-{index}');
});

t.test('digests: the same step gives the same digest; a changed one another', async (t) => {
  const a = parsePipeline(GOOD, '/home/u/p').steps;
  const b = parsePipeline(GOOD.replace('eval.sbatch', 'eval2.sbatch'), '/home/u/p').steps;
  const digest = (steps: typeof a, name: string) => steps.find((s) => s.name === name)?.digest;
  t.equal(digest(a, 'train'), digest(b, 'train'));
  t.not(digest(a, 'eval'), digest(b, 'eval'));
  t.match(digest(a, 'eval') ?? '', /^[0-9a-f]{64}$/);
});

t.test('refusals name the step and the key', async (t) => {
  refusal(t, 'pipeline: [', /not valid YAML/, 'broken YAML');
  refusal(t, 'steps: {a: {sbatch: [x.sbatch]}}', /pipeline: /, 'no name');
  refusal(t, 'pipeline: p\nsteps: {}', /steps: a pipeline needs at least one step/, 'no steps');
  refusal(
    t,
    'pipeline: p\nsteps:\n  a:\n    sbatch: []\n',
    /step a: sbatch: give at least the batch script/,
    'empty sbatch',
  );
  refusal(
    t,
    'pipeline: p\nsteps:\n  a:\n    sbatch: [x]\n    afterr: [b]\n',
    /step a: .*afterr/,
    'unknown key',
  );
  refusal(
    t,
    'pipeline: p\nsteps:\n  a:\n    sbatch: [x]\n    maxAttempts: 0\n',
    /step a: maxAttempts/,
    'bad marker',
  );
  refusal(
    t,
    'pipeline: p\nsteps:\n  a:\n    sbatch: [x]\n    after: [b]\n',
    /step a: after\[0\]: no step is named "b"/,
    'unknown step',
  );
  refusal(
    t,
    'pipeline: p\nsteps:\n  a:\n    sbatch: [x]\n    after: [a]\n',
    /step a: after\[0\]: a step cannot wait for itself/,
    'itself',
  );
  refusal(
    t,
    'pipeline: p\nsteps:\n  a: {sbatch: [x], after: [b]}\n  b: {sbatch: [x], after: [c]}\n  c: {sbatch: [x], after: [a]}\n',
    /step a: after: the steps wait for each other in a circle \(a → b → c → a\)/,
    'a cycle',
  );
  refusal(
    t,
    'pipeline: "bad name"\nsteps:\n  a: {sbatch: [x]}\n',
    /pipeline: letters/,
    'a bad pipeline name',
  );
});

t.test(
  'docs/pipeline.example.yaml: the guide’s phases, training after every shard, evaluation after its model',
  async (t) => {
    const file = path.join(import.meta.dirname, '../../../docs/pipeline.example.yaml');
    const p = parsePipeline(readFileSync(file, 'utf8'), path.dirname(file));
    t.equal(p.steps.length, 10);
    const byName = new Map(p.steps.map((s) => [s.name, s]));
    t.same(byName.get('train-aef-segformer')?.spec.after, ['shards-aef']);
    t.same(byName.get('eval-tessera-deeplab')?.spec.after, ['train-tessera-deeplab']);
    t.ok(
      byName
        .get('train-aef-segformer')
        ?.spec.sbatch.includes('--export=ALL,CONFIG=configs/train/aef_segformer.yaml'),
      'an --export with commas stays one argument',
    );
    t.equal(byName.get('shards-aef')?.cwd, '/cluster/projects/nn12037k/emb');
  },
);
