import t from 'tap';
import path from 'node:path';
import { chooseMode, detectFsKind, fsKindFromMagic } from '../../../agent/fs/fs-kind.js';

t.test('magic numbers map to kinds', async (t) => {
  t.equal(fsKindFromMagic(0x0bd00bd0), 'lustre');
  t.equal(fsKindFromMagic(0x6969), 'nfs');
  t.equal(fsKindFromMagic(0x47504653), 'gpfs');
  t.equal(fsKindFromMagic(0x19830326), 'beegfs');
  t.equal(fsKindFromMagic(0xef53), 'local');
  t.equal(fsKindFromMagic(0x01021994), 'local');
  t.equal(fsKindFromMagic(0x9123683e | 0), 'local', 'a magic reported as a negative number');
  t.equal(fsKindFromMagic(0x65735546), 'unknown', 'fuse is not trusted');
});

t.test('auto polls everywhere but on local filesystems; explicit modes win', async (t) => {
  t.equal(chooseMode('local', 'auto'), 'events');
  for (const k of ['lustre', 'nfs', 'gpfs', 'beegfs', 'unknown'] as const)
    t.equal(chooseMode(k, 'auto'), 'poll', k);
  t.equal(chooseMode('lustre', 'events'), 'events');
  t.equal(chooseMode('local', 'poll'), 'poll');
});

t.test('a path that does not exist yet is judged by its nearest existing ancestor', async (t) => {
  const dir = t.testdir({ logs: {} });
  const kind = await detectFsKind(dir);
  t.not(kind, 'lustre');
  t.equal(await detectFsKind(path.join(dir, 'logs', 'not', 'yet', 'job-1234_7.out')), kind);
  t.equal(await detectFsKind('relative/that/does/not/exist'), await detectFsKind('.'));
});
