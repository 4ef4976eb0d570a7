// Which array task wrote a shard, read from its name.
import { AgentError } from '../errors.js';

/**
 * Default: a task index after "shard", "task", "array", "idx" or "index", or a worker number after "worker"
 * or "w", followed by a separator and a serial number: shard-3-000012.tar, aef_task7_000012.tar,
 * worker3-000012.tar, tessera-w11-000004.tar. A name with a serial only (shard-000012.tar) has no index.
 */
export const DEFAULT_INDEX_REGEX =
  /^(?:.*[-_.])?(?:(?:shard|task|array|idx|index)[-_]?(?<index>\d+)|(?:worker|w)[-_]?(?<worker>\d+))[-_.]\d+/i;

export interface IndexRule {
  /** Must have a named group `index` (the array index) or `worker` (divided by workersPerTask), or both. */
  regex: RegExp;
  /** Workers per array task, when names carry a global worker number (guide: 3 tasks x 4 workers). Default 1. */
  workersPerTask?: number;
}

/** Compiles a config regex string, refusing one that cannot yield an index. */
export function compileIndexRegex(source: string, where: string): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (err) {
    throw new AgentError(
      'AGENT_ERR_CONFIG',
      `${where}: not a valid regular expression: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (!/\(\?<(?:index|worker)>/.test(source)) {
    throw new AgentError('AGENT_ERR_CONFIG', `${where}: needs a named group (?<index>...) or (?<worker>...)`);
  }
  return re;
}

/** The array index encoded in a shard name, or null. */
export function indexOf(name: string, rule: IndexRule): number | null {
  const g = rule.regex.exec(name)?.groups;
  if (!g) return null;
  if (g.index !== undefined) return Number(g.index);
  if (g.worker !== undefined) return Math.floor(Number(g.worker) / Math.max(1, rule.workersPerTask ?? 1));
  return null;
}
