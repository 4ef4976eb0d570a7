import t from 'tap';
import { FolderChange } from '../../../agent/fs/folder-change.js';

t.test(
  'a folder is looked into when its mtime changed, and once more after (one-second mtimes)',
  async (t) => {
    const c = new FolderChange();
    t.equal(c.due(1000), true, 'never looked into');
    t.equal(c.due(1000), true, 'once more after a change: an entry may have come in the same second');
    t.equal(c.due(1000), false, 'then not while the mtime stays');
    t.equal(c.due(2000), true);
    t.equal(c.due(2000), true);
    t.equal(c.due(2000), false);
    c.reset();
    t.equal(c.due(2000), true, 'after reset(), whatever the mtime');
  },
);
