// What a watch.shardDirs path stands for: one folder, or every sub-folder of a parent ("parent/*"); with a
// trailing "/**" the shards of their sub-folders at any depth count toward them (per-split or per-worker
// folders such as tessera/train or aef/worker-07).

/** "p" one folder, "p/*" every sub-folder of p, either with "/**": their sub-folders at any depth too. */
export function shardEntry(p: string): { root: string; group: boolean; deep: boolean } {
  const deep = p.endsWith('/**');
  const rest = deep ? p.slice(0, -3) : p;
  const group = rest.endsWith('/*');
  return { root: group ? rest.slice(0, -2) : rest, group, deep };
}
