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
