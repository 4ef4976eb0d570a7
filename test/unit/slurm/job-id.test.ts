import t from 'tap';
import { expandTaskSpec, parseJobId } from '../../../agent/slurm/job-id.js';

t.test('expandTaskSpec reads every index expression Slurm prints', async (t) => {
  t.same(expandTaskSpec('8-15%4'), { indices: [8, 9, 10, 11, 12, 13, 14, 15], throttle: 4 });
  t.same(expandTaskSpec('1,4,7-9'), { indices: [1, 4, 7, 8, 9], throttle: null });
  t.same(expandTaskSpec('4,7-9%1'), { indices: [4, 7, 8, 9], throttle: 1 });
  t.same(expandTaskSpec('1-9:2%2'), { indices: [1, 3, 5, 7, 9], throttle: 2 }, 'a stepped range');
  t.same(expandTaskSpec('7'), { indices: [7], throttle: null });
  // sacct --json on 22.05 gives the pending set as a hex bitmap.
  t.same(expandTaskSpec('0x3C'), { indices: [2, 3, 4, 5], throttle: null });
  t.same(expandTaskSpec('0x3FC')?.indices, [2, 3, 4, 5, 6, 7, 8, 9]);
  t.same(expandTaskSpec('0x1')?.indices, [0]);
});

t.test('expandTaskSpec refuses what is not an index set', async (t) => {
  for (const bad of ['', 'abc', '5-3', '1-', '2,3,...', '1-9:0', '0-99999999']) {
    t.equal(expandTaskSpec(bad), null, JSON.stringify(bad));
  }
});

t.test('parseJobId tells jobs, tasks, remainders, het components and steps apart', async (t) => {
  t.same(parseJobId('1234'), { kind: 'job', jobId: '1234', baseId: '1234' });
  t.same(parseJobId('1234_7'), { kind: 'task', jobId: '1234_7', baseId: '1234', taskId: 7 });
  t.same(parseJobId('1234_[8-15%4]'), {
    kind: 'remainder',
    baseId: '1234',
    spec: { indices: [8, 9, 10, 11, 12, 13, 14, 15], throttle: 4 },
  });
  t.same(parseJobId('1234_[1,4,7-9]'), {
    kind: 'remainder',
    baseId: '1234',
    spec: { indices: [1, 4, 7, 8, 9], throttle: null },
  });
  t.same(parseJobId('1853+0'), { kind: 'het', jobId: '1853+0', baseId: '1853', offset: 0 });
  t.equal(parseJobId('5610980.ext+')?.kind, 'step');
  t.equal(parseJobId('1234_7.batch')?.kind, 'step');
  t.equal(parseJobId('1853+0.batch')?.kind, 'step');
  t.equal(parseJobId('1234_[1,3,5,...'), null, 'a truncated remainder');
  t.equal(parseJobId('hello'), null);
});
