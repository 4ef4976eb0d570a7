// The other panels: a submission's attempts, shard folders with their charts, SAS tokens, events.
import { rate, scale, type Box, type Point } from './chart-math.js';
import { byId, clear, el, svg } from './dom.js';
import { bytes, duration, time } from './format.js';
import type { ApiEvent, ShardHistory, ShardStatus, SubmissionDetail, TokenStatus } from './types.js';

const HISTORY_ROWS = 1000;

export function showHistory(detail: SubmissionDetail, task: number | null): void {
  byId('history-section').hidden = false;
  byId('history-title').textContent =
    task === null ? `Attempts of #${detail.id}` : `Attempts of #${detail.id}, task ${task}`;
  const body = byId('history').querySelector('tbody') as HTMLElement;
  clear(body);
  const tasks = task === null ? detail.tasks : detail.tasks.filter((t) => t.index === task);
  // The tasks with more than one attempt come first: they are the ones with a story.
  const ordered = [...tasks].sort((a, b) => b.history.length - a.history.length || a.index - b.index);
  let shown = 0;
  let total = 0;
  const frag = document.createDocumentFragment();
  for (const t of ordered) {
    for (const a of t.history) {
      total++;
      if (shown >= HISTORY_ROWS) continue;
      shown++;
      frag.appendChild(
        el(
          'tr',
          {},
          el('td', {}, String(t.index)),
          el('td', {}, a.jobId),
          el('td', {}, a.slurmState),
          el(
            'td',
            {},
            a.exitSignal ? `signal ${a.exitSignal}` : a.exitCode === null ? '-' : String(a.exitCode),
          ),
          el('td', {}, time(a.startedAt)),
          el('td', {}, time(a.endedAt)),
          el('td', {}, a.checkpointSeen ? 'yes' : ''),
          el('td', {}, a.decision ?? ''),
        ),
      );
    }
  }
  body.appendChild(frag);
  byId('history-note').textContent =
    shown < total ? `${shown} of ${total} attempts shown; click a task to see its own.` : '';
}

const BOX: Box = { width: 600, height: 160, left: 44, right: 56, top: 10, bottom: 18 };

function chart(s: ShardStatus, h: ShardHistory | undefined): SVGElement {
  const root = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${BOX.width} ${BOX.height}`,
    role: 'img',
    'aria-label': `shards over time in ${s.dir}`,
  });
  const bottom = BOX.height - BOX.bottom;
  root.appendChild(
    svg('line', { class: 'axis', x1: BOX.left, y1: bottom, x2: BOX.width - BOX.right, y2: bottom }),
  );
  root.appendChild(svg('line', { class: 'axis', x1: BOX.left, y1: BOX.top, x2: BOX.left, y2: bottom }));
  const pts = h?.points ?? [];
  if (pts.length === 0) {
    root.appendChild(svg('text', { x: BOX.left + 8, y: BOX.top + 20 }, 'no samples yet'));
    return root;
  }
  const t0 = Date.parse(h?.from ?? pts[0]!.at);
  const t1 = Date.parse(h?.to ?? pts[pts.length - 1]!.at);
  const countPts: Point[] = pts.map((p) => ({ t: Date.parse(p.at), v: p.count }));
  const bytePts: Point[] = pts.map((p) => ({ t: Date.parse(p.at), v: p.bytes }));
  const c = scale(countPts, t0, t1, BOX, s.target ?? 0);
  const b = scale(bytePts, t0, t1, BOX);
  if (s.target !== null) {
    const y = BOX.top + (BOX.height - BOX.top - BOX.bottom) * (1 - s.target / c.max);
    root.appendChild(svg('line', { class: 'target', x1: BOX.left, y1: y, x2: BOX.width - BOX.right, y2: y }));
  }
  root.appendChild(svg('polyline', { class: 'bytes', points: b.line }));
  root.appendChild(svg('polyline', { class: 'count', points: c.line }));
  for (const [x, y] of c.xy) root.appendChild(svg('circle', { cx: x, cy: y, r: 1.8 }));
  root.appendChild(svg('text', { x: 2, y: BOX.top + 8 }, String(c.max)));
  root.appendChild(svg('text', { x: 2, y: bottom }, '0'));
  root.appendChild(svg('text', { x: BOX.width - BOX.right + 4, y: BOX.top + 8 }, bytes(b.max)));
  root.appendChild(svg('text', { x: BOX.left, y: BOX.height - 4 }, time(new Date(t0).toISOString())));
  root.appendChild(
    svg(
      'text',
      { x: BOX.width - BOX.right, y: BOX.height - 4, 'text-anchor': 'end' },
      time(new Date(t1).toISOString()),
    ),
  );
  return root;
}

export function showShards(list: readonly ShardStatus[] | null, history: Map<string, ShardHistory>): void {
  const box = byId('shards');
  clear(box);
  if (list === null) {
    box.appendChild(el('p', { class: 'muted' }, 'Shard watching is not configured (watch.shardDirs).'));
    return;
  }
  if (list.length === 0) box.appendChild(el('p', { class: 'muted' }, 'No shard folders found yet.'));
  for (const s of list) {
    const h = history.get(s.dir);
    const chartRate = h ? rate(h.points.map((p) => ({ t: Date.parse(p.at), v: p.count }))) : null;
    box.appendChild(
      el(
        'div',
        { class: 'shard', 'data-dir': s.dir },
        el('h3', {}, s.dir),
        el(
          'div',
          { class: 'facts' },
          el('span', {}, s.missing ? 'missing' : s.error ? `error: ${s.error}` : `${s.count} shards`),
          el('span', {}, `target ${s.target ?? '-'}`),
          el(
            'span',
            {},
            `rate ${s.ratePerHour === null ? '-' : `${s.ratePerHour.toFixed(1)}/h`}` +
              (chartRate === null ? '' : ` (${chartRate.toFixed(1)}/h over the chart)`),
          ),
          el('span', {}, `ETA ${s.etaSeconds === 0 ? 'reached' : duration(s.etaSeconds)}`),
          el('span', {}, `${bytes(s.bytes)}${s.bytesPending ? '+' : ''}`),
          el('span', { class: 'muted' }, `last change ${time(s.lastChangeAt)}`),
        ),
        chart(s, h),
      ),
    );
  }
}

export function showTokens(list: readonly TokenStatus[] | null): void {
  const body = byId('tokens').querySelector('tbody') as HTMLElement;
  clear(body);
  const note = byId('no-tokens');
  note.hidden = list !== null && list.length > 0;
  note.textContent =
    list === null ? 'SAS token refresh is not configured (tokens.collections).' : 'No collections.';
  for (const t of list ?? []) {
    body.appendChild(
      el(
        'tr',
        {},
        el('td', {}, t.collection),
        el(
          'td',
          {},
          el('span', { class: `badge tok-${t.state}` }, t.state + (t.inFlight ? ' (refreshing)' : '')),
        ),
        el('td', {}, time(t.expiry)),
        el('td', {}, duration(t.secondsLeft)),
        el('td', {}, time(t.lastRefreshAt)),
        el('td', {}, time(t.nextRefreshAt)),
        el('td', {}, t.lastError ?? ''),
      ),
    );
  }
}

const MAX_EVENTS = 500;

/** Prepends new events (newest on top), keeping the list bounded. */
export function addEvents(events: readonly ApiEvent[]): void {
  const list = byId('events');
  for (const e of events) {
    list.insertBefore(
      el(
        'li',
        { class: `lvl-${e.level}`, 'data-id': String(e.id) },
        `${time(e.at)} ${e.level.padEnd(5)} ${e.kind}${e.submissionId ? ` #${e.submissionId}` : ''}${e.jobId ? ` ${e.jobId}` : ''}: ${e.message}`,
      ),
      list.firstChild,
    );
  }
  while (list.childElementCount > MAX_EVENTS) list.lastElementChild?.remove();
}
