// One record per task from squeue and sacct: the further-along source wins, the other fills its gaps.
import t from 'tap';
import { mergeRecords } from '../../../agent/tracker/merge-records.js';
import { emptyRecord } from '../../../agent/slurm/records.js';

t.test("a pending job's reason comes from squeue when sacct lists it without one", async (t) => {
  const acct = { ...emptyRecord('7', '7'), state: 'PENDING' as const, stateDetail: null };
  const queue = { ...emptyRecord('7', '7'), state: 'PENDING' as const, stateDetail: 'BeginTime' };
  t.equal(mergeRecords(acct, queue)?.stateDetail, 'BeginTime');
});

t.test("a cancelled job keeps sacct's 'by <uid>'", async (t) => {
  const acct = { ...emptyRecord('7', '7'), state: 'CANCELLED' as const, stateDetail: 'by 0' };
  const queue = { ...emptyRecord('7', '7'), state: 'CANCELLED' as const, stateDetail: null };
  t.equal(mergeRecords(acct, queue)?.stateDetail, 'by 0');
  t.equal(mergeRecords(undefined, queue)?.stateDetail, null);
});

t.test('the node comes from whichever source has it', async (t) => {
  // squeue sees the start first; sacct may still list the task as pending (None assigned).
  const acct = { ...emptyRecord('7', '7'), state: 'PENDING' as const };
  const queue = { ...emptyRecord('7', '7'), state: 'RUNNING' as const, node: 'c1-7' };
  t.equal(mergeRecords(acct, queue)?.node, 'c1-7');
  // An ended task that squeue printed without a node list: sacct's fills it in.
  const ended = { ...emptyRecord('7', '7'), state: 'COMPLETED' as const, node: 'c1-7' };
  const queueEnded = { ...emptyRecord('7', '7'), state: 'COMPLETED' as const };
  t.equal(mergeRecords(ended, queueEnded)?.node, 'c1-7');
  t.equal(mergeRecords(queueEnded, { ...queueEnded, node: 'c1-8' })?.node, 'c1-8');
  t.equal(mergeRecords(acct, undefined)?.node, null, 'pending: no node');
});
