import t from 'tap';
import { compileGlob, globToRegExp } from '../../../agent/fs/glob.js';

t.test('the default *.tar', async (t) => {
  const m = compileGlob('*.tar');
  t.ok(m('shard-000012.tar'));
  t.ok(m('a.tar'));
  t.notOk(m('shard-000012.tar.tmp'));
  t.notOk(m('shard.tar.gz'));
  t.notOk(m('.shard-000012.tar'), 'hidden temporaries are not shards');
  t.notOk(m('tar'));
});

t.test('classes, alternatives, ? and escapes', async (t) => {
  const alt = compileGlob('*.{tar,tar.gz}');
  t.ok(alt('x.tar'));
  t.ok(alt('x.tar.gz'));
  t.notOk(alt('x.tgz'));
  const cls = compileGlob('shard-[0-9]?-*.tar');
  t.ok(cls('shard-12-000001.tar'));
  t.notOk(cls('shard-x2-000001.tar'));
  const neg = compileGlob('[!.]*.npy');
  t.ok(neg('tile.npy'));
  t.notOk(neg('.tile.npy'));
  t.ok(compileGlob('a\\*b')('a*b'));
  t.notOk(compileGlob('a\\*b')('axb'));
  t.ok(compileGlob('x+(1).tar')('x+(1).tar'), 'regex specials are literal');
  t.ok(compileGlob('{a,{b,c}}.tar')('c.tar'), 'nested braces');
  t.ok(compileGlob('[abc')('[abc'), 'an unclosed [ is literal');
  t.ok(compileGlob('.hidden*')('.hidden-1'), 'a pattern starting with a dot matches hidden names');
  t.ok(compileGlob('a-b_*.tar')('a-b_1.tar'));
});

t.test('a pattern with a slash is refused', async (t) => {
  t.throws(() => globToRegExp('shards/*.tar'), { code: 'AGENT_ERR_CONFIG' });
});
