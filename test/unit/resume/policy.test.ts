import t from 'tap';
import { decide, type AttemptFacts } from '../../../agent/resume/policy.js';

const base: AttemptFacts = {
  slurmState: 'COMPLETED',
  stateDetail: null,
  exitCode: 0,
  doneMarkerPresent: null,
  checkpointSeen: false,
  progressMade: true,
  attempts: 1,
  maxAttempts: 20,
  resumeEnabled: true,
  held: false,
};
const d = (f: Partial<AttemptFacts>) => decide({ ...base, ...f }).decision;

t.test('the contract table of design.md §2', async (t) => {
  t.equal(d({ doneMarkerPresent: true }), 'done', 'COMPLETED with the done marker');
  t.equal(d({}), 'done', 'COMPLETED, no done marker configured, no checkpoint marker');
  t.equal(d({ checkpointSeen: true }), 'resume', 'COMPLETED after a checkpoint (graceful SIGTERM exit)');
  t.equal(d({ checkpointSeen: true, doneMarkerPresent: false }), 'resume');
  t.equal(d({ slurmState: 'FAILED', exitCode: 1, checkpointSeen: true }), 'resume');
  for (const s of ['TIMEOUT', 'PREEMPTED', 'NODE_FAIL', 'BOOT_FAIL'])
    t.equal(d({ slurmState: s }), 'resume', s);
  t.equal(d({ slurmState: 'FAILED', exitCode: 1 }), 'failed', 'FAILED without a checkpoint');
  t.equal(d({ slurmState: 'OUT_OF_MEMORY', checkpointSeen: true }), 'failed');
  t.equal(d({ slurmState: 'CANCELLED', stateDetail: 'by 1000', checkpointSeen: true }), 'failed');
  t.equal(d({ slurmState: 'DEADLINE' }), 'failed');
});

t.test('a present done marker always means done', async (t) => {
  for (const s of ['TIMEOUT', 'FAILED', 'CANCELLED', 'OUT_OF_MEMORY']) {
    t.equal(d({ slurmState: s, doneMarkerPresent: true, checkpointSeen: true }), 'done', s);
  }
});

t.test('guards, each with its reason', async (t) => {
  const stalled = decide({ ...base, slurmState: 'TIMEOUT', progressMade: false });
  t.equal(stalled.decision, 'stalled');
  t.match(stalled.reason, /no progress/);
  t.equal(d({ slurmState: 'TIMEOUT', attempts: 20 }), 'exhausted');
  t.equal(d({ slurmState: 'TIMEOUT', attempts: 19 }), 'resume');
  t.equal(d({ slurmState: 'TIMEOUT', held: true }), 'held');
  t.equal(d({ slurmState: 'TIMEOUT', resumeEnabled: false }), 'failed');
  t.equal(
    d({ slurmState: 'TIMEOUT', progressMade: null }),
    'resume',
    'nothing measures progress: not stalled',
  );
  t.match(decide({ ...base, slurmState: 'TIMEOUT', attempts: 20 }).reason, /20 of 20/);
});
