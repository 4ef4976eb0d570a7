// The preflight checks: sbatch facts + the site's table -> refusals (with the rule and the fix) and
// warnings. Pure, so the submit path, resubmissions and pipeline steps all judge a job the same way.
import type { JobFacts } from './facts.js';
import type { PartitionRule, Profile } from './profile.js';
import { formatTimeSpec } from './time-spec.js';

export interface Finding {
  /** A stable id: partition-unknown, mem-forbidden, gpus-required, gpus-forbidden, time-over-limit, small-quota. */
  rule: string;
  message: string;
  fix: string;
}

export interface Verdict {
  refusals: Finding[];
  warnings: Finding[];
}

/** The partitions a job may run in: the ones it names, else the site's default (none when unknown). */
export function partitionsOf(facts: JobFacts, profile: Profile): string[] {
  if (facts.partitions.length) return facts.partitions;
  return profile.defaultPartition === null ? [] : [profile.defaultPartition];
}

function others(profile: Profile, ok: (r: PartitionRule) => boolean, not: string): string {
  const names = Object.entries(profile.partitions)
    .filter(([n, r]) => n !== not && ok(r))
    .map(([n, r]) => (r.maxMinutes === null ? n : `${n} (${formatTimeSpec(r.maxMinutes)})`));
  return names.length ? names.join(', ') : '';
}

function onPartition(p: string, r: PartitionRule, facts: JobFacts, profile: Profile): Finding[] {
  const out: Finding[] = [];
  const note = r.note ? ` (${p}: ${r.note})` : '';
  if (r.mem === 'forbidden' && facts.mem !== null) {
    const alt = others(profile, (x) => x.mem === 'allowed' && x.gpus !== 'required', p);
    out.push({
      rule: 'mem-forbidden',
      message: `partition ${p} does not take a memory request: ${facts.mem}${note}`,
      fix: `remove ${facts.mem} (ask for more CPUs with --cpus-per-task if the job needs more memory)${alt ? `, or submit to ${alt}` : ''}`,
    });
  }
  if (r.gpus === 'required' && facts.gpus === null) {
    out.push({
      rule: 'gpus-required',
      message: `partition ${p} needs a GPU request and the job has none${note}`,
      fix: `add --gpus=N (e.g. --gpus=1), or submit to a CPU partition`,
    });
  }
  if (r.gpus === 'forbidden' && facts.gpus !== null) {
    const alt = others(profile, (x) => x.gpus !== 'forbidden', p);
    out.push({
      rule: 'gpus-forbidden',
      message: `partition ${p} has no GPUs, but the job asks for ${facts.gpus}${note}`,
      fix: alt
        ? `submit to ${alt} (--partition=${alt.split(' ')[0]}), or drop ${facts.gpus}`
        : `drop ${facts.gpus}`,
    });
  }
  const asked = facts.timeMinutes;
  if (r.maxMinutes !== null && asked !== undefined) {
    const over = asked === null || asked > r.maxMinutes;
    if (over) {
      const limit = formatTimeSpec(r.maxMinutes);
      const alt = others(
        profile,
        (x) => x.maxMinutes === null || (asked !== null && x.maxMinutes >= asked),
        p,
      );
      out.push({
        rule: 'time-over-limit',
        message: `--time=${facts.time} is over partition ${p}'s limit of ${limit}; Slurm would accept it and leave it pending for good (PartitionTimeLimit)`,
        fix: `ask for at most --time=${limit} and let emb-agent resume the job after its checkpoint${alt ? `, or submit to ${alt}` : ''}`,
      });
    }
  }
  return out;
}

function under(p: string, folder: string): boolean {
  const f = folder.replace(/\/+$/, '');
  return p === f || p.startsWith(`${f}/`);
}

/** Paths the job writes to (and marker paths) that land in a small-quota folder: warnings, never refusals. */
export function quotaWarnings(paths: { option: string; path: string }[], profile: Profile): Finding[] {
  const out: Finding[] = [];
  for (const { option, path } of paths) {
    const folder = profile.smallQuotaPaths.find((f) => under(path, f));
    if (folder === undefined) continue;
    out.push({
      rule: 'small-quota',
      message: `${option} ${path} is in ${folder}, a small shared quota: a full quota kills jobs with "Disk quota exceeded"`,
      fix: `write data, logs, shards and checkpoints${profile.workSpace ? ` under ${profile.workSpace}` : ' in the work space'}`,
    });
  }
  return out;
}

export function checkJob(facts: JobFacts, profile: Profile): Verdict {
  const refusals: Finding[] = [];
  const warnings: Finding[] = [];
  const known = Object.keys(profile.partitions);
  for (const p of partitionsOf(facts, profile)) {
    const rule = profile.partitions[p];
    if (rule === undefined) {
      if (!known.length) continue;
      (profile.unknownPartition === 'refuse' ? refusals : warnings).push({
        rule: 'partition-unknown',
        message: `partition ${p} is not in the ${profile.name} table`,
        fix: `use one of ${known.join(', ')}, or add ${p} under preflight.partitions in the config`,
      });
      continue;
    }
    refusals.push(...onPartition(p, rule, facts, profile));
  }
  warnings.push(...quotaWarnings(facts.writePaths, profile));
  return { refusals, warnings };
}

/** One refusal as users read it: the rule, what is wrong, and the fix. */
export function describeFinding(f: Finding): string {
  return `[${f.rule}] ${f.message}; fix: ${f.fix}`;
}
