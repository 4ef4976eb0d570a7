// The shards of one folder in compact form, as 100,000-file trees must not weigh on a login node: the names
// sorted and joined into one string ('/' cannot occur in a file name) and typed arrays for size, mtime and
// index by position. About 45 bytes a shard, where a Map with a string per shard took ~170. Additions and
// removals are collected and merged in one pass before the next read; `sync` replaces the set at once.

/** Visits one shard; `name()` builds the name only for visitors that need it. */
export type ShardVisitor = (
  size: number,
  mtimeMs: number | null,
  index: number | null,
  name: () => string,
) => void;

const SEP = '/';
const NO_INDEX = -1;

export class ShardTable {
  /** Every name followed by SEP, in code-unit order. */
  private joined = '';
  /** starts[i] is where name i begins in `joined`; starts[n] is joined.length. */
  private starts = new Int32Array(1);
  private sizes = new Float64Array(0);
  /** NaN until statted. */
  private mtimes = new Float64Array(0);
  private indices = new Int32Array(0);
  private n = 0;
  /** Added since the last merge: name -> index (NO_INDEX for none). */
  private readonly added = new Map<string, number>();
  /** Positions removed since the last merge. */
  private readonly dropped = new Set<number>();
  private total = 0;
  private unstatted = 0;

  get count(): number {
    return this.n - this.dropped.size + this.added.size;
  }

  /** Sum of known sizes. */
  get bytes(): number {
    return this.total;
  }

  /** Shards added but not statted yet. */
  get pending(): number {
    return this.unstatted;
  }

  has(name: string): boolean {
    if (this.added.has(name)) return true;
    const i = this.find(name);
    return i >= 0 && !this.dropped.has(i);
  }

  add(name: string, index: number | null): void {
    if (this.has(name)) return;
    this.added.set(name, index ?? NO_INDEX);
    this.unstatted++;
  }

  remove(name: string): void {
    if (this.added.delete(name)) {
      this.unstatted--;
      return;
    }
    const i = this.find(name);
    if (i < 0 || this.dropped.has(i)) return;
    this.dropped.add(i);
    this.total -= this.sizes[i] as number;
    if (Number.isNaN(this.mtimes[i])) this.unstatted--;
  }

  /** Makes the table hold exactly `names` (a folder's listing), keeping what is known of those it had. */
  sync(names: Iterable<string>, indexOf: (name: string) => number | null): void {
    this.merge();
    const next = new Set(names);
    for (let i = 0; i < this.n; i++) {
      const name = this.nameAt(i);
      if (next.has(name)) next.delete(name);
      else this.remove(name);
    }
    for (const name of next) this.add(name, indexOf(name));
    this.merge();
  }

  setStat(name: string, size: number, mtimeMs: number): void {
    this.merge();
    const i = this.find(name);
    if (i < 0) return;
    if (Number.isNaN(this.mtimes[i])) this.unstatted--;
    this.total += size - (this.sizes[i] as number);
    this.sizes[i] = size;
    this.mtimes[i] = mtimeMs;
  }

  mtimeOf(name: string): number | null {
    this.merge();
    const i = this.find(name);
    const m = i < 0 ? Number.NaN : (this.mtimes[i] as number);
    return Number.isNaN(m) ? null : m;
  }

  /** Visits every shard without allocating per shard (unless the visitor asks for names). */
  forEach(visit: ShardVisitor): void {
    this.merge();
    for (let i = 0; i < this.n; i++) {
      const m = this.mtimes[i] as number;
      const x = this.indices[i] as number;
      visit(this.sizes[i] as number, Number.isNaN(m) ? null : m, x === NO_INDEX ? null : x, () =>
        this.nameAt(i),
      );
    }
  }

  /** Names not statted yet, at most `limit`. */
  pendingNames(limit: number): string[] {
    this.merge();
    const out: string[] = [];
    for (let i = 0; i < this.n && out.length < limit && this.unstatted > 0; i++) {
      if (Number.isNaN(this.mtimes[i])) out.push(this.nameAt(i));
    }
    return out;
  }

  /** Names of every shard. */
  allNames(): string[] {
    this.merge();
    const out: string[] = [];
    for (let i = 0; i < this.n; i++) out.push(this.nameAt(i));
    return out;
  }

  clear(): void {
    this.added.clear();
    this.dropped.clear();
    this.rebuild([], new Float64Array(0), new Float64Array(0), new Int32Array(0), 0);
    this.total = 0;
    this.unstatted = 0;
  }

  private nameAt(i: number): string {
    return this.joined.slice(this.starts[i], (this.starts[i + 1] as number) - 1);
  }

  /** Position of `name` among the merged names, or -1. */
  private find(name: string): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const here = this.nameAt(mid);
      if (here === name) return mid;
      if (here < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Folds pending additions and removals into the sorted arrays. */
  private merge(): void {
    if (!this.added.size && !this.dropped.size) return;
    const fresh = [...this.added.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const total = this.count;
    const names: string[] = [];
    const sizes = new Float64Array(total);
    const mtimes = new Float64Array(total);
    const indices = new Int32Array(total);
    let k = 0;
    let f = 0;
    const take = (name: string, size: number, mtime: number, index: number) => {
      names.push(name);
      sizes[k] = size;
      mtimes[k] = mtime;
      indices[k] = index;
      k++;
    };
    for (let i = 0; i < this.n; i++) {
      if (this.dropped.has(i)) continue;
      const name = this.nameAt(i);
      while (f < fresh.length && (fresh[f] as string) < name) {
        take(fresh[f] as string, 0, Number.NaN, this.added.get(fresh[f] as string) as number);
        f++;
      }
      take(name, this.sizes[i] as number, this.mtimes[i] as number, this.indices[i] as number);
    }
    for (; f < fresh.length; f++)
      take(fresh[f] as string, 0, Number.NaN, this.added.get(fresh[f] as string) as number);
    this.added.clear();
    this.dropped.clear();
    this.rebuild(names, sizes, mtimes, indices, k);
  }

  private rebuild(
    names: string[],
    sizes: Float64Array<ArrayBuffer>,
    mtimes: Float64Array<ArrayBuffer>,
    indices: Int32Array<ArrayBuffer>,
    n: number,
  ): void {
    const starts = new Int32Array(n + 1);
    let at = 0;
    for (let i = 0; i < n; i++) {
      starts[i] = at;
      at += (names[i] as string).length + 1;
    }
    starts[n] = at;
    // join() makes one flat string; built by += it would be a chain of pieces.
    this.joined = n ? names.join(SEP) + SEP : '';
    this.starts = starts;
    this.sizes = sizes;
    this.mtimes = mtimes;
    this.indices = indices;
    this.n = n;
  }
}
