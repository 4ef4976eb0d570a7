// The submissions table and the selected submission's tasks. The task table is updated row by row (a row is
// rebuilt only when its task changed), so a poll of a 10,000-task submission touches only what moved.
import { byId, clear, el } from './dom.js';
import { orderedCounts, time } from './format.js';
import type { Submission, Task } from './types.js';

export interface Actions {
  /** hold or release a target ("#12", "#12:7"). */
  steer(action: 'hold' | 'release', target: string): void;
  selectSubmission(id: number): void;
  selectTask(index: number | null): void;
}

const ATTENTION = new Set(['failed', 'exhausted', 'stalled']);
/** Rows in the table at once: a page of 10,000 rows took seconds to lay out on a loaded login node. */
export const PAGE_ROWS = 500;

function steerButton(held: boolean, target: string): HTMLButtonElement {
  const action = held ? 'release' : 'hold';
  return el(
    'button',
    { type: 'button', 'data-action': action, 'data-target': target, title: `${action} ${target}` },
    held ? 'Release' : 'Hold',
  );
}

function counts(c: Record<string, number>): HTMLElement {
  return el(
    'span',
    {},
    ...orderedCounts(c).map(([state, n]) => el('span', { class: `badge st-${state}` }, `${n} ${state}`)),
  );
}

/** Clicks on a table's buttons and rows, handled once for the whole table. */
function delegate(table: HTMLElement, actions: Actions, onRow: (row: HTMLElement) => void): void {
  table.addEventListener('click', (ev) => {
    const target = ev.target as HTMLElement;
    const button = target.closest('button[data-action]');
    if (button) {
      const action = button.getAttribute('data-action') as 'hold' | 'release';
      actions.steer(action, button.getAttribute('data-target') ?? '');
      return;
    }
    const row = target.closest('tr[data-key]');
    if (row) onRow(row as HTMLElement);
  });
}

export class SubmissionTable {
  private readonly body = byId('submissions').querySelector('tbody') as HTMLTableSectionElement;
  private selected: number | null = null;

  constructor(actions: Actions) {
    delegate(byId('submissions'), actions, (row) => actions.selectSubmission(Number(row.dataset.key)));
  }

  show(list: readonly Submission[], selected: number | null): void {
    this.selected = selected;
    clear(this.body);
    byId('no-submissions').hidden = list.length > 0;
    for (const s of [...list].reverse()) {
      this.body.appendChild(
        el(
          'tr',
          {
            'data-key': String(s.id),
            class: `selectable${s.id === this.selected ? ' selected' : ''}`,
          },
          el('td', {}, `#${s.id}`),
          el('td', {}, s.name ?? '-'),
          el('td', {}, s.jobId || waitingBadge(s)),
          el('td', {}, time(s.createdAt)),
          el(
            'td',
            {},
            counts(s.counts),
            s.held ? el('span', { class: 'badge st-held' }, 'submission held') : null,
          ),
          el('td', {}, steerButton(s.held, `#${s.id}`)),
        ),
      );
    }
  }
}

/** What stands in a kept-back submission's job cell until it is sent: waiting (or blocked), and for what. */
function waitingBadge(s: Submission): HTMLElement | string {
  if (!s.waiting) return '-';
  const word = s.waiting.blocked ? 'blocked' : s.waiting.state;
  return el(
    'span',
    { class: `badge ${s.waiting.blocked ? 'st-failed' : 'st-queued'}`, title: s.waiting.reason },
    word,
  );
}

function signature(t: Task): string {
  return `${t.state}|${t.attempts}|${t.jobId}|${t.reason}|${t.held}|${t.diagnosis?.cause}|${t.diagnosis?.hint}`;
}

export class TaskTable {
  private readonly body = byId('tasks').querySelector('tbody') as HTMLTableSectionElement;
  private readonly filterBox = byId<HTMLSelectElement>('task-filter');
  private rows = new Map<number, { tr: HTMLTableRowElement; sig: string }>();
  private submissionId: number | null = null;
  private filter = 'all';
  private last: Submission | null = null;
  private selectedTask: number | null = null;
  private page = 0;

  constructor(private readonly actions: Actions) {
    byId('page-prev').addEventListener('click', () => this.turn(-1));
    byId('page-next').addEventListener('click', () => this.turn(1));
    delegate(byId('tasks'), actions, (row) => {
      const index = Number(row.dataset.key);
      this.selectedTask = this.selectedTask === index ? null : index;
      for (const r of this.rows.values())
        r.tr.classList.toggle('selected', r.tr === row && this.selectedTask !== null);
      actions.selectTask(this.selectedTask);
    });
    this.filterBox.addEventListener('change', () => {
      this.filter = this.filterBox.value;
      this.page = 0;
      this.reset();
      if (this.last) this.show(this.last);
    });
  }

  show(sub: Submission): void {
    this.last = sub;
    if (sub.id !== this.submissionId) {
      this.submissionId = sub.id;
      this.selectedTask = null;
      this.filter = 'all';
      this.page = 0;
      this.reset();
    }
    byId('tasks-title').textContent = `Tasks of #${sub.id}${sub.name ? ` ${sub.name}` : ''}`;
    this.fillFilter(sub);
    const matching = sub.tasks.filter((t) => this.matches(t));
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_ROWS));
    this.page = Math.min(this.page, pages - 1);
    const first = this.page * PAGE_ROWS;
    const visible = matching.slice(first, first + PAGE_ROWS);
    byId('task-count').textContent =
      matching.length > PAGE_ROWS
        ? `${first + 1}–${first + visible.length} of ${matching.length} (${sub.tasks.length} task(s) in all)`
        : `${matching.length} of ${sub.tasks.length} task(s)`;
    byId<HTMLButtonElement>('page-prev').hidden = pages === 1;
    byId<HTMLButtonElement>('page-next').hidden = pages === 1;
    byId<HTMLButtonElement>('page-prev').disabled = this.page === 0;
    byId<HTMLButtonElement>('page-next').disabled = this.page === pages - 1;
    const want = new Set(visible.map((t) => t.index));
    for (const [i, r] of this.rows) {
      if (!want.has(i)) {
        r.tr.remove();
        this.rows.delete(i);
      }
    }
    if (this.rows.size === 0) {
      // First fill: one fragment, one layout.
      const frag = document.createDocumentFragment();
      for (const t of visible) {
        const tr = this.row(sub.id, t);
        this.rows.set(t.index, { tr, sig: signature(t) });
        frag.appendChild(tr);
      }
      this.body.appendChild(frag);
      return;
    }
    let prev: HTMLTableRowElement | null = null;
    for (const t of visible) {
      const sig = signature(t);
      let r = this.rows.get(t.index);
      if (!r) {
        r = { tr: this.row(sub.id, t), sig };
        this.rows.set(t.index, r);
        this.body.insertBefore(r.tr, prev ? prev.nextSibling : this.body.firstChild);
      } else if (r.sig !== sig) {
        const tr = this.row(sub.id, t);
        r.tr.replaceWith(tr);
        r.tr = tr;
        r.sig = sig;
      }
      prev = r.tr;
    }
  }

  private turn(by: number): void {
    this.page = Math.max(0, this.page + by);
    this.reset();
    if (this.last) this.show(this.last);
  }

  private reset(): void {
    clear(this.body);
    this.rows.clear();
  }

  private matches(t: Task): boolean {
    if (this.filter === 'all') return true;
    if (this.filter === 'attention') return ATTENTION.has(t.state);
    if (this.filter === 'not-done') return t.state !== 'done';
    return t.state === this.filter;
  }

  private fillFilter(sub: Submission): void {
    const options: [string, string][] = [
      ['all', 'all tasks'],
      ['not-done', 'not done'],
      ['attention', 'failed, stalled or exhausted'],
      ...orderedCounts(sub.counts).map(([s, n]): [string, string] => [s, `${s} (${n})`]),
    ];
    if (!options.some(([v]) => v === this.filter)) options.push([this.filter, `${this.filter} (0)`]);
    const key = options.map((o) => o.join('=')).join('|');
    if (this.filterBox.dataset.key === key) return;
    this.filterBox.dataset.key = key;
    clear(this.filterBox);
    for (const [value, label] of options) this.filterBox.appendChild(el('option', { value }, label));
    this.filterBox.value = this.filter;
  }

  private row(sid: number, t: Task): HTMLTableRowElement {
    return el(
      'tr',
      {
        'data-key': String(t.index),
        'data-state': t.state,
        class: `selectable${this.selectedTask === t.index ? ' selected' : ''}`,
      },
      el('td', {}, String(t.index)),
      el(
        'td',
        {},
        el('span', { class: `badge st-${t.state}` }, t.state),
        t.held && t.state !== 'held' ? ' (held)' : '',
      ),
      el('td', {}, String(t.attempts)),
      el('td', {}, t.jobId ?? '-'),
      el('td', {}, t.reason ?? ''),
      el('td', {}, t.diagnosis?.cause ?? ''),
      el('td', { class: 'hint' }, t.diagnosis?.hint ?? ''),
      el('td', {}, steerButton(t.held, `#${sid}:${t.index}`)),
    );
  }
}
