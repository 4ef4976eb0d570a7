// The notify config: defaults, and what it refuses (an address that could pass for a sendmail option, a
// non-http webhook, a relative sendmail, an unknown kind or key), each named by its path.
import t from 'tap';
import { ConfigSchema, NotifySchema } from '../../../agent/config/schema.js';
import { secretsOf } from '../../../agent/notify/targets.js';
import { webhookName } from '../../../agent/notify/webhook.js';

t.test('defaults: off, with a 30-minute window', async (t) => {
  const c = ConfigSchema.parse({}).notify;
  t.same(c.webhooks, []);
  t.equal(c.mail, undefined);
  t.match(c, { windowMinutes: 30, retries: 5, timeoutSeconds: 10, queueSize: 100 });
  t.match(NotifySchema.parse({ webhooks: [{ url: 'https://ntfy.sh/x' }] }).webhooks[0], { format: 'json' });
});

t.test('refused, each with its path', async (t) => {
  const bad: [unknown, RegExp][] = [
    [{ mail: { to: ['-oQ/tmp/x'] } }, /mail\.to\.0/],
    [{ mail: { to: ['alice@example.org'], sendmail: 'sendmail' } }, /mail\.sendmail/],
    [{ mail: { to: [] } }, /mail\.to/],
    [{ webhooks: [{ url: 'file:///etc/passwd' }] }, /webhooks\.0\.url/],
    [{ webhooks: [{ url: 'https://x.org', format: 'teams' }] }, /webhooks\.0\.format/],
    [{ webhooks: [{ url: 'https://x.org', events: ['everything'] }] }, /webhooks\.0\.events\.0/],
    [{ webhooks: [{ url: 'https://x.org', token: 'x' }] }, /webhooks\.0/],
    [{ windowMinutes: 0 }, /windowMinutes/],
  ];
  for (const [notify, where] of bad) {
    const r = ConfigSchema.safeParse({ notify });
    t.notOk(r.success, JSON.stringify(notify));
    t.match(r.error?.issues.map((i) => ['notify', ...i.path.slice(1)].join('.')).join(' '), where);
  }
});

t.test("a webhook's name shows its format and host only; its URL and path are secrets", async (t) => {
  const url = 'https://hooks.slack.com/services/T0/B0/XXXXSECRET?x=1';
  t.equal(webhookName(url, 'slack', undefined), 'slack hooks.slack.com');
  t.equal(webhookName(url, 'slack', 'team'), 'team');
  t.same(secretsOf(NotifySchema.parse({ webhooks: [{ url }] })), [url, '/services/T0/B0/XXXXSECRET?x=1']);
});
