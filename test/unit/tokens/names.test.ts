// Collection entries to request paths and file names.
import t from 'tap';
import { collectionProblems, parseCollection } from '../../../agent/tokens/names.js';

t.test('plain ids, known storage, account/container', async (t) => {
  t.same(parseCollection('usda-cdl'), {
    id: 'usda-cdl',
    account: 'landcoverdata',
    container: 'usda-cdl',
    requestPath: 'usda-cdl',
    fileStem: 'usda-cdl',
  });
  t.same(parseCollection('sentinel-2-l2a'), {
    id: 'sentinel-2-l2a',
    account: null,
    container: null,
    requestPath: 'sentinel-2-l2a',
    fileStem: 'sentinel-2-l2a',
  });
  t.same(parseCollection('landcoverdata/usda-cdl'), {
    id: 'landcoverdata/usda-cdl',
    account: 'landcoverdata',
    container: 'usda-cdl',
    requestPath: 'landcoverdata/usda-cdl',
    fileStem: 'landcoverdata__usda-cdl',
  });
});

t.test('names that would escape a path are refused', async (t) => {
  t.throws(() => parseCollection('..'), /only dots/);
  t.throws(() => parseCollection('a/..'), /only dots/);
  t.throws(() => parseCollection('a/b/c'), /not a collection id or "account\/container"/);
  t.throws(() => parseCollection('a b'), /not a collection id/);
});

t.test('collectionProblems names the entry: bad, twice, or sharing a file', async (t) => {
  t.same(collectionProblems(['usda-cdl', 'landcoverdata/usda-cdl']), []);
  t.same(collectionProblems(['usda-cdl', '..', 'usda-cdl', 'a/b', 'a__b']), [
    'tokens.collections.1: ".." is not a usable name: only dots',
    'tokens.collections.2: "usda-cdl" is listed twice',
    'tokens.collections.4: "a__b" and "a/b" would share the file a__b.json',
  ]);
});
