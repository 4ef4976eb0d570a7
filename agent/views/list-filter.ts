// `ls --state S --name N --since T [--all]`: the list route's filters, applied to the read model's list.
import type { ListQuery, Submission } from '../api/schemas.js';

export class ListFilter {
  /** The plain `ls` (archived ones left out) per list object, so its JSON stays cached with it (read.ts). */
  private readonly listed = new WeakMap<Submission[], Submission[]>();

  apply(list: Submission[], q: ListQuery): Submission[] {
    if (q.state === undefined && q.name === undefined && q.since === undefined)
      return this.plain(list, q.all);
    const since = q.since === undefined ? undefined : Date.parse(q.since);
    const out: Submission[] = [];
    for (const s of this.plain(list, q.all)) {
      if (q.name !== undefined && !(s.name ?? '').includes(q.name)) continue;
      if (since !== undefined && Date.parse(s.createdAt) < since) continue;
      if (q.state === undefined) {
        out.push(s);
        continue;
      }
      if (q.state === 'waiting') {
        if (s.waiting?.state === 'waiting' || s.waiting?.state === 'sending') out.push(s);
        continue;
      }
      // Only the tasks in that state, as squeue --states shows only those jobs; counts stay the whole's.
      const tasks = s.tasks.filter((t) => t.state === q.state);
      if (tasks.length) out.push({ ...s, tasks });
    }
    return out;
  }

  private plain(list: Submission[], all: boolean | undefined): Submission[] {
    if (all === true) return list;
    let shown = this.listed.get(list);
    if (!shown) this.listed.set(list, (shown = list.filter((s) => s.archivedAt === undefined)));
    return shown;
  }
}
