// emb-client shards | tokens: tables of what the agent watches; --json prints the same array.
import type { ShardStatus } from '../../agent/api/shards.js';
import type { TokenStatus } from '../../agent/api/tokens.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import { columns, shortTime } from '../format/text.js';

function left(s: number | null): string {
  if (s === null) return '-';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

function size(bytes: number, pending: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}${pending ? '+' : ''}`;
}

export function renderShards(items: readonly ShardStatus[], width?: number): string {
  if (items.length === 0) return 'no shard folders watched (watch.shardDirs)\n';
  const rows = items.map((s) => [
    s.dir,
    s.missing ? 'missing' : s.error ? 'ERROR' : String(s.count),
    s.target === null ? '-' : String(s.target),
    s.ratePerHour === null ? '-' : `${s.ratePerHour.toFixed(1)}/h`,
    s.etaSeconds === null ? '-' : s.etaSeconds === 0 ? 'reached' : left(s.etaSeconds),
    size(s.bytes, s.bytesPending),
    shortTime(s.lastChangeAt),
  ]);
  const lines = columns(
    [['FOLDER', 'SHARDS', 'TARGET', 'RATE', 'ETA', 'SIZE', 'LAST CHANGE'], ...rows],
    '',
    '  ',
    // A long folder keeps its end, the part that names it.
    { width, free: { 0: 'start' } },
  );
  for (const s of items) {
    if (s.error) lines.push(`${s.dir}: ${s.error}`);
    if (s.purge) {
      lines.push(
        `${s.dir}: ${s.purge.count} file(s) older than ${s.purge.warnAfterDays} days (oldest ${s.purge.oldestAgeDays.toFixed(0)} d); the work area purges after ${s.purge.purgeDays} days`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function renderTokens(items: readonly TokenStatus[], width?: number): string {
  if (items.length === 0) return 'no SAS collections configured (tokens.collections)\n';
  const rows = items.map((t) => [
    t.collection,
    t.state + (t.inFlight ? ' (refreshing)' : ''),
    shortTime(t.expiry),
    left(t.secondsLeft),
    shortTime(t.lastRefreshAt),
    shortTime(t.nextRefreshAt),
    t.tokenFile,
    t.lastError ?? '',
  ]);
  return (
    columns(
      [['COLLECTION', 'STATE', 'EXPIRES', 'LEFT', 'REFRESHED', 'NEXT', 'FILE', 'ERROR'], ...rows],
      '',
      '  ',
      { width, free: { 6: 'start', 7: 'end' } },
    ).join('\n') + '\n'
  );
}

export default async function statusList(ctx: Context): Promise<number> {
  const which = ctx.parsed.command as 'shards' | 'tokens';
  const api = await ctx.api();
  const reply = await api.raw('GET', `/${which}`);
  if (ctx.parsed.global.json) {
    ctx.out(`${reply.body}\n`);
    return EXIT.ok;
  }
  const items = JSON.parse(reply.body) as unknown[];
  ctx.out(
    which === 'tokens'
      ? renderTokens(items as TokenStatus[], ctx.width)
      : renderShards(items as ShardStatus[], ctx.width),
  );
  return EXIT.ok;
}
