import t from 'tap';
import { Diagnoser } from '../../../agent/diagnose/diagnose.js';
import {
  classifyLine,
  DEFAULT_CHECKPOINT_REGEX,
  DEFAULT_PROGRESS_REGEX,
  isEndLine,
  statelessRegex,
} from '../../../agent/logs/line-meaning.js';

t.test('default checkpoint marker', async (t) => {
  for (const line of [
    'Received SIGTERM, saving checkpoint',
    'Caught signal 15: checkpointing worker 3',
    '[worker 2] SIGTERM received; forwarding to workers',
    'Saved checkpoint to /cluster/work/users/x/emb/outputs/runs/aef/last.pt',
    'saving the model checkpoint at step 4000',
    'Checkpoint saved: epoch=3 step=1200',
    'checkpoint 17 written to state/worker3.json',
    'worker 3 checkpointed at tile 10N_2023',
    'Wrote checkpoint state/shard-3.state',
  ]) {
    t.ok(DEFAULT_CHECKPOINT_REGEX.test(line), line);
  }
  for (const line of [
    'Resuming from checkpoint outputs/runs/aef/last.pt',
    'Loading checkpoint state/worker3.json',
    'No checkpoint found, starting from scratch',
    "FileNotFoundError: '/x/saved-models/checkpoint.pt'",
    'checkpoint_interval=500',
  ]) {
    t.notOk(DEFAULT_CHECKPOINT_REGEX.test(line), line);
  }
});

t.test('default progress marker', async (t) => {
  for (const line of [
    'Wrote shard shard-3-000012.tar (512 MiB)',
    'finished writing shard 12',
    'shard shard-3-000012.tar written',
    'shard 12 done',
    'Epoch 3: train loss 0.41',
    'step 1200/50000 loss=0.3',
    'Epoch 12: 37%|███▋      | 24/66 [01:10<02:03, 0.29it/s]',
  ]) {
    t.ok(DEFAULT_PROGRESS_REGEX.test(line), line);
  }
  for (const line of [
    "OSError: [Errno 122] Disk quota exceeded: '/x/tests-written-by-a-run/outputs/shards/aef/shard-0-000004.tar'",
    'Starting shard builder with 4 workers',
    'Received SIGTERM, saving checkpoint',
  ]) {
    t.notOk(DEFAULT_PROGRESS_REGEX.test(line), line);
  }
});

t.test('end banners', async (t) => {
  for (const line of [
    'slurmstepd: error: *** JOB 1234 ON node1 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***',
    'slurmstepd: error: *** JOB 1234 ON node1 CANCELLED AT 2026-11-28T12:00:00 ***',
    'slurmstepd: error: *** JOB 98765 CANCELLED AT 2021-03-01T08:00:01 DUE TO TIME LIMIT ***',
    'slurmstepd: error: *** JOB 1234 ON b1 CANCELLED AT 2026-11-28T12:00:00 DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***',
    'slurmstepd: error: *** JOB 1234 ON node1 FAILED (non-zero exit code or other failure mode) ***',
    'srun: error: *** STEP 1234.0 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***',
    'slurmstepd: error: *** STEP 1234.0 ON b3 CANCELLED AT 2026-11-28T12:00:00 DUE TO PREEMPTION ***',
  ]) {
    t.ok(isEndLine(line), line);
  }
  for (const line of [
    'slurmstepd: error: *** STEP 1234.0 ON node1 CANCELLED AT 2026-11-28T12:00:00 ***',
    'echo "*** JOB done ***"',
    'slurmstepd: error: Detected 1 oom_kill event in StepId=1234.batch.',
  ]) {
    t.notOk(isEndLine(line), line);
  }
});

t.test('one line can mean several things, end last', async (t) => {
  const events = classifyLine(
    'slurmstepd: error: *** JOB 12 ON n1 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***',
    { checkpoint: DEFAULT_CHECKPOINT_REGEX, progress: DEFAULT_PROGRESS_REGEX, diagnoser: new Diagnoser() },
  );
  t.same(
    events.map((e) => e.kind),
    ['end', 'diagnosis'],
  );
  t.equal(events[1]?.diagnosis?.cause, 'time-limit');
});

t.test('statelessRegex drops g and y', async (t) => {
  const re = statelessRegex(/x/gy);
  t.equal(re.flags, '');
  t.ok(re.test('x') && re.test('x'));
  const keep = /x/i;
  t.equal(statelessRegex(keep), keep);
});
