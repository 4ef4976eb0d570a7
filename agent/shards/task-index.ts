// Which array task wrote a shard, read from its name.
/**
 * A task index after "shard", "task", "array", "idx" or "index", or a worker number after "worker"
 * or "w", followed by a separator and a serial number: shard-3-000012.tar, aef_task7_000012.tar,
 * worker3-000012.tar, tessera-w11-000004.tar. A name with a serial only (shard-000012.tar) has no index.
 */
const INDEX_REGEX =
  /^(?:.*[-_.])?(?:(?:shard|task|array|idx|index)[-_]?(?<index>\d+)|(?:worker|w)[-_]?(?<worker>\d+))[-_.]\d+/i;

/** The array index a shard's name carries (its task, or its worker: one worker per task), or null. */
export function shardIndex(name: string): number | null {
  const g = INDEX_REGEX.exec(name)?.groups;
  const index = g?.index ?? g?.worker;
  return index === undefined ? null : Number(index);
}
