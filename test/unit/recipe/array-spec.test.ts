import t from 'tap';
import { formatArraySpec, parseArraySpec } from '../../../agent/recipe/array-spec.js';

t.test('parses the --array forms Slurm accepts', async (t) => {
  t.same(parseArraySpec('0-3'), { indices: [0, 1, 2, 3], throttle: null });
  t.same(parseArraySpec('1,4,7-9%2'), { indices: [1, 4, 7, 8, 9], throttle: 2 });
  t.same(parseArraySpec('0-15:4'), { indices: [0, 4, 8, 12], throttle: null });
  t.same(parseArraySpec('5'), { indices: [5], throttle: null });
  t.same(parseArraySpec('3,1,3'), { indices: [1, 3], throttle: null });
});

t.test('refuses bad specs and names them', async (t) => {
  for (const bad of ['', 'a-b', '3-1', '1-3%x', '1-3%2%3', '0-9:0', '1,,2']) {
    t.throws(
      () => parseArraySpec(bad),
      { code: 'AGENT_ERR_BAD_REQUEST', message: new RegExp(`--array=${bad.replace(/[%*+?]/g, '\\$&')}`) },
      bad,
    );
  }
});

t.test('formats indices compactly with the throttle kept', async (t) => {
  t.equal(formatArraySpec([9, 7, 8, 1, 4], 2), '1,4,7-9%2');
  t.equal(formatArraySpec([0], null), '0');
  t.equal(formatArraySpec([0, 1, 2, 3], null), '0-3');
  t.same(parseArraySpec(formatArraySpec([2, 3, 5, 10, 11, 12], 4)).indices, [2, 3, 5, 10, 11, 12]);
});
