// The page's main loop. It polls the JSON API rather than holding a stream open: each tab would otherwise
// keep a connection against the agent's limits (agent/http/limits.ts closes requests after 30 s), and a
// poll survives an ssh tunnel that dropped and came back. ETags make an unchanged poll a 304; events are
// asked for after the last id seen. Changes show within POLL_MS.
import { Api, SessionLost } from './api.js';
import { byId } from './dom.js';
import { time } from './format.js';
import { addEvents, showHistory, showShards, showTokens } from './panels.js';
import { SubmissionTable, TaskTable, type Actions } from './tasks.js';
import type {
  ApiEvent,
  Health,
  ShardHistory,
  ShardStatus,
  Submission,
  SubmissionDetail,
  TokenStatus,
} from './types.js';

const POLL_MS = 2000;
/** Shards, tokens and the attempt history change slowly: every SLOW_EVERY polls. */
const SLOW_EVERY = 3;
/** A chart is asked for again at least this often, and whenever its folder changed. */
const CHART_MS = 60_000;

const api = new Api();
let submissions: Submission[] = [];
let selected: number | null = null;
let selectedTask: number | null = null;
let lastEvent = 0;
let tick = 0;
let detailWanted = true;
let detail: SubmissionDetail | null = null;
const charts = new Map<string, { history: ShardHistory; key: string; at: number }>();

const actions: Actions = {
  steer: (action, target) => void steer(action, target),
  selectSubmission: (id) => {
    selected = id;
    selectedTask = null;
    detail = null;
    detailWanted = true;
    location.hash = `s${id}`;
    render();
    void refreshDetail();
  },
  selectTask: (index) => {
    selectedTask = index;
    if (detail) showHistory(detail, selectedTask);
  },
};
const subTable = new SubmissionTable(actions);
const taskTable = new TaskTable(actions);

function problem(text: string | null): void {
  const p = byId('problem');
  p.hidden = text === null;
  p.textContent = text ?? '';
}

function lost(err: unknown): boolean {
  if (!(err instanceof SessionLost)) return false;
  // The page shell without a session is the login hint: nothing of the state stays on screen.
  location.replace('/ui/');
  return true;
}

async function steer(action: 'hold' | 'release', target: string): Promise<void> {
  try {
    const r = await api.post<{ message: string }>(`/${action}`, { target });
    problem(null);
    byId('updated').textContent = r.message;
    await poll();
  } catch (err) {
    if (!lost(err)) problem(`${action} ${target}: ${(err as Error).message}`);
  }
}

function render(): void {
  if (selected === null || !submissions.some((s) => s.id === selected)) {
    selected = submissions.length ? (submissions[submissions.length - 1] as Submission).id : null;
  }
  subTable.show(submissions, selected);
  const sub = submissions.find((s) => s.id === selected);
  byId('tasks-section').hidden = !sub;
  if (sub) taskTable.show(sub);
}

async function refreshDetail(): Promise<void> {
  if (selected === null) return;
  const r = await api.poll<SubmissionDetail>(`/submissions/${selected}`);
  if (r.body && r.body.id === selected) detail = r.body;
  if (detail && detail.id === selected) showHistory(detail, selectedTask);
}

async function refreshShards(): Promise<void> {
  const r = await api.poll<ShardStatus[]>('/shards');
  if (r.status === 404) return showShards(null, new Map());
  const list = r.body ?? lastShards;
  if (!list) return;
  lastShards = list;
  const now = Date.now();
  await Promise.all(
    list.map(async (s) => {
      const key = `${s.lastChangeAt}|${s.count}`;
      const have = charts.get(s.dir);
      if (have && have.key === key && now - have.at < CHART_MS) return;
      const h = await api.get<ShardHistory>(`/shards/history?dir=${encodeURIComponent(s.dir)}&points=300`);
      charts.set(s.dir, { history: h, key, at: now });
    }),
  );
  showShards(list, new Map([...charts].map(([dir, c]) => [dir, c.history])));
}
let lastShards: ShardStatus[] | undefined;

async function refreshTokens(): Promise<void> {
  const r = await api.poll<TokenStatus[]>('/tokens');
  if (r.status === 404) showTokens(null);
  else if (r.body) showTokens(r.body);
}

async function poll(): Promise<void> {
  const r = await api.poll<Submission[]>('/submissions');
  if (r.body) {
    submissions = r.body;
    detailWanted = true;
    render();
  }
  const events = await api.get<ApiEvent[]>(
    lastEvent ? `/events?after=${lastEvent}&limit=1000` : '/events?limit=200',
  );
  if (events.length) {
    lastEvent = events[events.length - 1]!.id;
    addEvents(events);
  }
  if (tick % SLOW_EVERY === 0) {
    if (detailWanted) {
      detailWanted = false;
      await refreshDetail();
    }
    await Promise.all([refreshShards(), refreshTokens()]);
  }
  if (tick % 15 === 0) {
    const h = await api.get<Health>('/health');
    byId('agent').textContent = `${h.host}, version ${h.version}`;
  }
  tick++;
  byId('updated').textContent = `updated ${time(new Date().toISOString())}`;
}

async function loop(): Promise<void> {
  try {
    await poll();
    problem(null);
  } catch (err) {
    if (lost(err)) return;
    problem(`The agent did not answer (${(err as Error).message}); is the tunnel up? Trying again.`);
  }
  setTimeout(() => void loop(), POLL_MS);
}

async function start(): Promise<void> {
  const m = /^#s(\d+)$/.exec(location.hash);
  if (m) selected = Number(m[1]);
  byId('logout').addEventListener('click', () => {
    void api.post('/ui/logout', {}).finally(() => location.replace('/ui/'));
  });
  try {
    await api.start();
  } catch (err) {
    if (lost(err)) return;
    problem(`The agent did not answer: ${(err as Error).message}`);
  }
  byId('main').hidden = false;
  await loop();
}

void start();
