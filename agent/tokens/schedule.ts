// When the next schedule tick falls, computed from an injected time so tests drive it with a fake clock.
// node-cron parses and validates the expression and matches instants; its own "next run" reads the wall
// clock (new Date()), so the search for the next matching instant after a given time is done here.
import { createTask, parse, validateDetailed, type ScheduledTask } from 'node-cron';

/** A source of fire times. Pure: the caller arms its own (injected) clock's timer for the returned time. */
export interface Schedule {
  /** The first fire time strictly after `ms` (epoch ms), or null if none within the search horizon. */
  nextAfter(ms: number): number | null;
  /** Releases what the schedule holds; nextAfter must not be called afterwards. */
  dispose(): void;
}

/** node-cron's verdict on an expression, as one line naming the bad field; null when valid. */
export function cronProblem(expression: string): string | null {
  const result = validateDetailed(expression);
  if (result.valid) return null;
  const detail = result.errors.map((e) =>
    e.field === 'expression' ? e.message : `${e.field}: ${e.message}`,
  );
  return `"${expression}" is not a valid cron expression (${detail.join('; ')})`;
}

const MINUTE = 60_000;
// Five years covers every leap-day expression; schedules are meant to be frequent, this bounds the odd one.
const HORIZON_MS = 5 * 366 * 24 * 3600_000;

/** A node-cron expression (5 fields, or 6 with seconds first), in the process's local time zone. */
export class CronSchedule implements Schedule {
  private readonly seconds: number[];
  private readonly minutes: Set<number>;
  private readonly hours: Set<number>;
  private readonly months: Set<number>;
  /** The earliest allowed time of day, used to ask node-cron once per day whether the day matches. */
  private readonly firstHour: number;
  private readonly firstMinute: number;
  private readonly matcher: ScheduledTask;

  /** Throws an Error naming the problem when node-cron refuses the expression. */
  constructor(readonly expression: string) {
    const problem = cronProblem(expression);
    if (problem !== null) throw new Error(problem);
    const fields = parse(expression);
    this.seconds = [...fields.second].sort((a, b) => a - b);
    this.minutes = new Set(fields.minute);
    this.hours = new Set(fields.hour);
    this.months = new Set(fields.month);
    this.firstHour = Math.min(...fields.hour);
    this.firstMinute = Math.min(...fields.minute);
    // Never started: used only for its match(), which applies node-cron's day-of-month/week rules (L, W, #).
    this.matcher = createTask(expression, () => undefined);
  }

  nextAfter(ms: number): number | null {
    const end = ms + HORIZON_MS;
    const firstSecond = this.seconds[0] ?? 0;
    let minute = Math.floor(ms / MINUTE) * MINUTE;
    let dayChecked = '';
    while (minute <= end) {
      const d = new Date(minute);
      // Cheap numeric filters first; node-cron's match() formats the date and costs ~10 µs.
      if (!this.months.has(d.getMonth() + 1)) {
        minute = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
        continue;
      }
      const day = `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
      if (day !== dayChecked) {
        dayChecked = day;
        if (!this.dayMatches(d)) {
          minute = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
          continue;
        }
      }
      if (!this.hours.has(d.getHours())) {
        minute += (60 - d.getMinutes()) * MINUTE;
        continue;
      }
      // Every listed second is allowed, so one match() per minute decides the other fields.
      if (this.minutes.has(d.getMinutes()) && this.matcher.match(new Date(minute + firstSecond * 1000))) {
        for (const s of this.seconds) {
          const at = minute + s * 1000;
          if (at > ms) return at;
        }
      }
      minute += MINUTE;
    }
    return null;
  }

  /**
   * Whether the day of d can match: node-cron is asked about the day's earliest allowed time, where every
   * field but day-of-month/week is allowed, so a "no" is about the day. When that local time does not exist
   * (a daylight-saving gap), the answer would be about the hour instead, so the day is kept.
   */
  private dayMatches(d: Date): boolean {
    const firstSecond = this.seconds[0] ?? 0;
    const probe = new Date(
      d.getFullYear(),
      d.getMonth(),
      d.getDate(),
      this.firstHour,
      this.firstMinute,
      firstSecond,
    );
    if (
      probe.getDate() !== d.getDate() ||
      probe.getHours() !== this.firstHour ||
      probe.getMinutes() !== this.firstMinute
    ) {
      return true;
    }
    return this.matcher.match(probe);
  }

  dispose(): void {
    void this.matcher.destroy();
  }
}
