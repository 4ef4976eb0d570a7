// SAS tokens as a user meets them: configure usda-cdl, start the agent, find a fresh token file a job can
// read, and `emb-client tokens` saying when it expires, never showing the token.
import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { waitFor } from '../helpers/cluster.js';
import { FakeSasServer } from '../helpers/fake-sas-server.js';

interface TokenRow {
  collection: string;
  expiry: string | null;
  secondsLeft: number | null;
  lastRefreshAt: string | null;
  nextRefreshAt: string | null;
}

t.test('a fresh token file for jobs, and its expiry in emb-client tokens', async (t) => {
  const sas = await FakeSasServer.start({ now: () => Date.now(), lifetimeMs: 50 * 60_000 });
  t.teardown(() => sas.close());
  const dir = t.testdir();
  const agent = await startAgent(dir, { tokens: { apiBase: sas.url, collections: ['usda-cdl'] } });
  t.teardown(() => agent.stop());
  const file = path.join(dir, 'work/tmp/sas/usda-cdl.json');
  const record = await waitFor(
    async () => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as {
          token: string;
          expiry: string;
          account: string;
          container: string;
        };
      } catch {
        return null;
      }
    },
    { timeoutMs: 90_000, what: 'the token file' },
  );
  t.match(record.token, /sig=/);
  t.equal(record.account, 'landcoverdata');
  t.equal(record.container, 'usda-cdl');
  t.ok(Date.parse(record.expiry) > Date.now() + 40 * 60_000, 'fresh');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  t.equal(readFileSync(path.join(dir, 'work/tmp/sas/usda-cdl.token'), 'utf8').trim(), record.token);

  const rows = await agent.clientJson<TokenRow[]>(['tokens']);
  t.equal(rows[0]?.collection, 'usda-cdl');
  t.equal(rows[0]?.expiry && Date.parse(rows[0].expiry), Date.parse(record.expiry));
  t.ok((rows[0]?.secondsLeft ?? 0) > 2400);
  const table = await agent.client(['tokens']);
  t.notMatch(table.stdout + JSON.stringify(rows), /sig=/, 'the token is never shown');
  t.notMatch(agent.output(), new RegExp(record.token.split('sig=')[1]?.slice(0, 12) ?? 'x'), 'nor logged');
});
