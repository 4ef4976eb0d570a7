// Whether a waiting submission may be sent: every task of each prerequisite done. A prerequisite that failed,
// stalled or exhausted blocks it until the user releases or cancels it. Pure, so the rules are tested alone.
import type { WaitRow, WaitState } from '../tasks/waits.js';

/** What the gate knows of one prerequisite submission. */
export interface PrerequisiteFacts {
  id: number;
  /** Its own wait, when it was kept back too and has not been sent (null: an ordinary submission). */
  wait: Exclude<WaitState, 'sent'> | null;
  /** Its tasks per state. */
  counts: Record<string, number>;
}

export interface Verdict {
  ready: boolean;
  blocked: boolean;
  reason: string;
}

const BAD = ['failed', 'stalled', 'exhausted'] as const;

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** One prerequisite: satisfied (null), still pending, or blocking. */
function judge(p: PrerequisiteFacts): { blocked: boolean; text: string } | null {
  const name = `#${p.id}`;
  if (p.wait === 'dropped') return { blocked: true, text: `${name} was cancelled before it was sent` };
  if (p.wait !== null) return { blocked: false, text: `${name} has not been sent yet` };
  const all = total(p.counts);
  const done = p.counts['done'] ?? 0;
  if (all > 0 && done === all) return null;
  const bad = BAD.filter((s) => (p.counts[s] ?? 0) > 0).map((s) => `${p.counts[s]} ${s}`);
  const held = p.counts['held'] ?? 0;
  const text =
    `${name}: ${done} of ${all} task(s) done` +
    (bad.length ? `, ${bad.join(', ')}` : '') +
    (held ? `, ${held} held` : '');
  return { blocked: bad.length > 0, text };
}

/** The verdict on one wait, given what is known of its prerequisites (a missing one counts as pending). */
export function verdict(
  w: Pick<WaitRow, 'submissionId' | 'after' | 'released'>,
  facts: Map<number, PrerequisiteFacts>,
): Verdict {
  if (w.released) return { ready: true, blocked: false, reason: 'released by the user' };
  const blocking: string[] = [];
  const pending: string[] = [];
  for (const id of w.after) {
    const p = facts.get(id);
    const j = p ? judge(p) : { blocked: true, text: `#${id} is not in the state database` };
    if (j === null) continue;
    (j.blocked ? blocking : pending).push(j.text);
  }
  if (blocking.length) {
    const next = `\`emb-client release #${w.submissionId}\` sends it anyway, \`emb-client cancel #${w.submissionId}\` drops it`;
    return { ready: false, blocked: true, reason: `waits: ${[...blocking, ...pending].join('; ')}; ${next}` };
  }
  if (pending.length) return { ready: false, blocked: false, reason: `waits for ${pending.join('; ')}` };
  return { ready: true, blocked: false, reason: 'every prerequisite is done' };
}
