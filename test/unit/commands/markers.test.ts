// Markers in force for a submission, where they resolve, and the warning for a folder that is not there.
import t from 'tap';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  markersInForce,
  markerWarnings,
  resolveMarkers,
  staticFolder,
} from '../../../agent/commands/markers.js';
import { recipeInfo } from '../../../agent/recipe/info.js';

const site = (jobDefaults: Record<string, object>) => ({
  workRoot: '/w',
  user: 'alice',
  home: '/home/alice',
  jobDefaults,
});

t.test('jobDefaults by job name, else by script file name; $USER and ~ expanded', async (t) => {
  const defaults = {
    'build_shards.sbatch': { progress: '/cluster/work/users/$USER/emb/outputs/shards/*/*.tar' },
    aef: { doneMarker: '~/done-{index}' },
  };
  const byScript = markersInForce(site(defaults), recipeInfo(['slurm/build_shards.sbatch'], '/nope'), {});
  t.equal(byScript.progress, '/cluster/work/users/alice/emb/outputs/shards/*/*.tar');
  const byName = markersInForce(
    site(defaults),
    recipeInfo(['-J', 'aef', 'slurm/build_shards.sbatch'], '/nope'),
    {},
  );
  t.equal(byName.doneMarker, '/home/alice/done-{index}');
  const own = markersInForce(site(defaults), recipeInfo(['slurm/build_shards.sbatch'], '/nope'), {
    progress: 'p/*',
  });
  t.equal(own.progress, 'p/*', 'the command line wins');
});

t.test(
  'resolved against the working directory; a missing folder is named, with the likely one',
  async (t) => {
    const dir = t.testdir();
    const project = path.join(dir, 'project');
    const work = path.join(dir, 'work');
    mkdirSync(project);
    mkdirSync(path.join(work, 'outputs/shards/aef'), { recursive: true });
    const m = { doneMarker: 'outputs/shards/aef/done-{index}', progress: 'outputs/shards/aef/*{index}*.tar' };
    t.same(resolveMarkers(project, m), {
      doneMarker: path.join(project, 'outputs/shards/aef/done-{index}'),
      progress: path.join(project, 'outputs/shards/aef/*{index}*.tar'),
    });
    const warnings = await markerWarnings(project, work, m);
    t.equal(warnings.length, 2);
    t.match(warnings[1], `resolves to ${path.join(project, 'outputs/shards/aef/*{index}*.tar')}`);
    t.match(warnings[1], `did you mean ${path.join(work, 'outputs/shards/aef/*{index}*.tar')}`);
    t.same(await markerWarnings(work, work, m), [], 'no warning where the folder exists');
    t.same(await markerWarnings(project, work, { doneMarker: 'log:all done', progress: null }), []);
    t.equal(staticFolder('/a/b/*/c/*.tar'), '/a/b');
    t.equal(staticFolder('/a/b/done-0'), '/a/b');
  },
);
