// emb-client health: is the agent well, and can it reach the scheduler?
import type { Health } from '../../agent/api/schemas.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import { shortTime } from '../format/text.js';

export default async function health(ctx: Context): Promise<number> {
  const api = await ctx.api();
  const reply = await api.raw('GET', '/health');
  const h = JSON.parse(reply.body) as Health;
  if (ctx.parsed.global.json) ctx.out(`${reply.body}\n`);
  else {
    const s = h.scheduler;
    const lines = [
      `${h.ok ? 'ok' : 'NOT OK'}: emb-agent ${h.version} on ${h.host} (pid ${h.pid}), since ${shortTime(h.startedAt)}, listening on ${h.listen}`,
      `scheduler: ${s.available ? 'available' : 'UNAVAILABLE'}${s.version ? `, Slurm ${s.version}${s.support ? ` (${s.support})` : ''}` : ''}, ${s.liveJobs} live job(s), last poll ${shortTime(s.lastPollAt)}`,
      ...(s.lastError ? [`  last error: ${s.lastError}`] : []),
      `database: ${h.db.path} (${h.db.journal}, schema ${h.db.schemaVersion})${h.db.writable ? '' : ', CANNOT BE WRITTEN'}`,
      ...(h.db.writeError ? [`  write error: ${h.db.writeError}`] : []),
      ...(h.tokens?.failing ?? []).map(
        (f) => `SAS token ${f.collection}: ${f.state.toUpperCase()}${f.lastError ? `: ${f.lastError}` : ''}`,
      ),
      ...(h.notify?.targets ?? []).map(
        (n) =>
          `notify ${n.target}: ${n.sent} sent, ${n.queued} queued, ${n.failed} failed, ${n.dropped} dropped` +
          (n.lastError ? `; last error: ${n.lastError}` : ''),
      ),
      ...(h.lease
        ? [
            `lease: held by ${h.lease.holder ?? 'nobody'}; standing by: ${
              h.lease.standby.map((x) => `${x.host} (pid ${x.pid})`).join(', ') || 'none'
            }`,
          ]
        : []),
    ];
    ctx.out(`${lines.join('\n')}\n`);
  }
  return h.ok ? EXIT.ok : EXIT.api;
}
