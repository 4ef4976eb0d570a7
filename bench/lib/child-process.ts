// Measuring a bench child process: bundling it, reading its JSON messages, its /proc status and strace counts.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

/** Bundles one bench child (e.g. bench/watch-child.ts) so it runs under plain node, without tsx. */
export async function bundleChild(entry: string, out: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3', 'chokidar', 'pino'],
    logLevel: 'error',
  });
}

/** The child's JSON messages, waited for by event name. */
export class Inbox {
  private readonly msgs: Record<string, number>[] = [];
  private wake: () => void = () => {};
  private ended = false;

  constructor(child: ChildProcess) {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on('line', (line) => {
      if (line.startsWith('{')) this.msgs.push(JSON.parse(line) as Record<string, number>);
      this.wake();
    });
    rl.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  async next(event: string, timeoutMs: number): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.msgs.findIndex((m) => (m as unknown as { event: string }).event === event);
      if (i >= 0) return this.msgs.splice(i, 1)[0] as Record<string, number>;
      if (this.ended) throw new Error(`the child ended before "${event}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${event}" from the child within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** A /proc/PID/status field in kB, in MiB. */
export function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Sums strace -c's "calls" column by syscall name. */
export function parseStrace(text: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
    if (m && m[2] !== 'total') calls.set(m[2] as string, Number(m[1]));
  }
  return calls;
}
