// Fitted wall-time for a resubmission: the time the work left needs at the rate the task has shown, plus a
// margin, within the partition's limit and never above the original --time. A shorter limit lets backfill
// start the job sooner; a limit that turns out short costs one more checkpointed resume, not the work.
// Pure arithmetic: the caller measures.

/** One ended attempt of a task: how long it ran and how much work it did (shards, files, progress lines). */
export interface RunSample {
  runSeconds: number;
  units: number;
}

export interface TaskProgress {
  index: number;
  /** Units done so far, all attempts. */
  done: number;
  runs: RunSample[];
}

export interface FitSettings {
  marginPercent: number;
  overheadMinutes: number;
  minMinutes: number;
}

export interface FitInput {
  /** Units each task must reach in all (--target); null: the work left is unknown. */
  target: number | null;
  tasks: TaskProgress[];
  /** The submission's own --time in minutes; null: none given (or UNLIMITED). */
  originalMinutes: number | null;
  /** The partition's limit in minutes; null: not known. */
  partitionMaxMinutes: number | null;
  settings: FitSettings;
}

export interface TaskFit {
  index: number;
  done: number;
  left: number;
  /** Units per hour over the task's attempts so far; null when none ran measurably. */
  ratePerHour: number | null;
  /** Minutes the work left needs at that rate, before margin and overhead. */
  needMinutes: number | null;
}

export interface FitResult {
  /** The --time to ask for in minutes; null: keep the recipe's own (reason says why). */
  minutes: number | null;
  reason: string;
  /** The most the fit may ask for: min(original --time, partition limit). */
  ceilingMinutes: number | null;
  tasks: TaskFit[];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function fitTime(input: FitInput): FitResult {
  const { target, settings } = input;
  const limits = [input.originalMinutes, input.partitionMaxMinutes].filter((m): m is number => m !== null);
  const ceiling = limits.length ? Math.min(...limits) : null;
  const tasks: TaskFit[] = input.tasks.map((t) => {
    const seconds = t.runs.reduce((s, r) => s + Math.max(0, r.runSeconds), 0);
    const units = t.runs.reduce((s, r) => s + Math.max(0, r.units), 0);
    const rate = seconds > 0 && units > 0 ? units / seconds : null;
    const left = target === null ? 0 : Math.max(0, target - t.done);
    return {
      index: t.index,
      done: t.done,
      left,
      ratePerHour: rate === null ? null : round2(rate * 3600),
      needMinutes: rate === null || target === null ? null : round2(left / rate / 60),
    };
  });
  const keep = (reason: string): FitResult => ({ minutes: null, reason, ceilingMinutes: ceiling, tasks });
  if (target === null) return keep('no --target was given, so the work left is unknown');
  if (ceiling === null) return keep('neither the recipe nor the partition table gives a limit to fit within');
  if (!tasks.length) return keep('no task to fit');
  const unmeasured = tasks.filter((t) => t.left > 0 && t.needMinutes === null).map((t) => t.index);
  if (unmeasured.length) {
    return keep(`no progress rate is measured yet for task(s) ${unmeasured.join(',')}`);
  }
  // One array job has one --time for all its tasks: the slowest task sets it.
  const worst = Math.max(...tasks.map((t) => t.needMinutes ?? 0));
  const wanted = Math.ceil(worst * (1 + settings.marginPercent / 100) + settings.overheadMinutes);
  const minutes = Math.min(ceiling, Math.max(settings.minMinutes, wanted));
  if (input.originalMinutes !== null && minutes >= input.originalMinutes) {
    return keep(
      `the work left needs ${wanted} min with the margin, not less than the original ${input.originalMinutes} min`,
    );
  }
  const why =
    wanted > ceiling
      ? `the work left needs ${wanted} min with the margin; the limit is ${ceiling} min`
      : `the slowest task needs ${round2(worst)} min for ${Math.max(...tasks.map((t) => t.left))} unit(s) left; +${settings.marginPercent}% +${settings.overheadMinutes} min = ${wanted} min`;
  return { minutes, reason: why, ceilingMinutes: ceiling, tasks };
}
