import t from 'tap';
import {
  optionValue,
  parseSbatchArgs,
  rebuildArgs,
  scriptDirectives,
} from '../../../agent/recipe/sbatch-args.js';

t.test('splits options from the script and its arguments', async (t) => {
  const a = parseSbatchArgs([
    '--array=0-9%2',
    '-p',
    'preproc',
    '--export=EMB_SOURCE=aef',
    'build.sbatch',
    '--fast',
    '-p',
    'x',
  ]);
  t.equal(a.script, 'build.sbatch');
  t.same(a.scriptArgs, ['--fast', '-p', 'x']);
  t.equal(optionValue(a, 'array'), '0-9%2');
  t.equal(optionValue(a, 'partition'), 'preproc');
  t.equal(optionValue(a, 'export'), 'EMB_SOURCE=aef');
});

t.test('reads separate, attached and short forms; later options win', async (t) => {
  const a = parseSbatchArgs([
    '-a',
    '1-3',
    '--job-name',
    'shards',
    '-pnormal',
    '--array',
    '4-5',
    '--hold',
    'run.sh',
  ]);
  t.equal(optionValue(a, 'array'), '4-5');
  t.equal(optionValue(a, 'job-name'), 'shards');
  t.equal(optionValue(a, 'partition'), 'normal');
  t.equal(a.script, 'run.sh');
});

t.test('--wrap has no script', async (t) => {
  const a = parseSbatchArgs(['--wrap', 'sleep 5', '-t', '1']);
  t.equal(a.script, null);
  t.equal(optionValue(a, 'wrap'), 'sleep 5');
});

t.test('rebuild replaces --array and --comment before the script', async (t) => {
  const a = parseSbatchArgs([
    '-a',
    '0-9%2',
    '--comment=mine',
    '-p',
    'preproc',
    'build.sbatch',
    '--array=not-ours',
  ]);
  t.same(rebuildArgs(a, ['array', 'comment'], ['--array=1,4%2', '--comment=tag']), [
    '-p',
    'preproc',
    '--array=1,4%2',
    '--comment=tag',
    'build.sbatch',
    '--array=not-ours',
  ]);
});

t.test('reads #SBATCH lines up to the first command', async (t) => {
  const text =
    '#!/bin/bash\n#SBATCH --array=0-3%2  # four workers\n#SBATCH -J shards\n\n# note\necho hi\n#SBATCH --time=5\n';
  t.same(scriptDirectives(text), ['--array=0-3%2', '-J', 'shards']);
});
