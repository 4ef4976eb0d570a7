// Mail through the node's own sendmail (postfix, exim or msmtp on most login nodes), run directly with an
// argv array, never a shell: node:child_process spawn, because only agent/slurm/runner.ts may use execa, and
// spawn's own timeout kills a sendmail that hangs on a dead relay. The message goes on stdin.
import { spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../errors.js';
import { mailText, type Origin, type Scrub } from './formats.js';
import type { NotifyKind, NotifyMessage, SendFailure, Target } from './types.js';

/** Where sendmail lives when it is not on PATH (login shells of daemons often lack the sbin folders). */
const USUAL_PLACES = ['/usr/sbin/sendmail', '/usr/lib/sendmail'];

/** The sendmail to run: the configured path if it is executable, else the first on PATH or in a usual place. */
export async function findSendmail(
  configured: string | undefined,
  searchPath: string,
): Promise<string | null> {
  const candidates = configured
    ? [configured]
    : [
        ...searchPath
          .split(':')
          .filter((d) => path.isAbsolute(d))
          .map((d) => path.join(d, 'sendmail')),
        ...USUAL_PLACES,
      ];
  for (const c of candidates) {
    try {
      await fs.access(c, constants.X_OK);
      return c;
    } catch {
      // Not there, or not executable: try the next candidate (a configured path has none).
      continue;
    }
  }
  return null;
}

export interface SendmailRun {
  /** Exit code (null when killed), and the end of what it wrote to stderr. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  error: Error | null;
}

/** Runs `file args` with `input` on stdin; resolves when it ends, is killed at the time-out, or cannot start. */
export function runWithInput(
  file: string,
  args: readonly string[],
  input: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<SendmailRun> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'ignore', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      ...(signal ? { signal } : {}),
      // The agent's environment is inherited: msmtp finds its ~/.msmtprc through HOME.
    });
    let stderr = '';
    let error: Error | null = null;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    // A sendmail that exits without reading all of stdin makes the write fail with EPIPE: its exit says why.
    child.stdin.on('error', (err) => {
      error ??= err;
    });
    child.on('error', (err) => {
      error = err;
    });
    child.on('close', (code, signal) => resolve({ code, signal, stderr, error }));
    child.stdin.end(input);
  });
}

export interface MailOptions {
  to: readonly string[];
  from?: string | undefined;
  /** Found at start(); null when the node has none. */
  sendmail: () => string | null;
  events: readonly NotifyKind[] | null;
  timeoutMs: number;
  origin: Origin;
  scrub: Scrub;
}

export class MailTarget implements Target {
  readonly type = 'mail';
  readonly name: string;
  readonly events: readonly NotifyKind[] | null;

  constructor(private readonly o: MailOptions) {
    this.name = `mail to ${o.to.join(', ')}`;
    this.events = o.events;
  }

  async send(m: NotifyMessage, note: string | null, signal?: AbortSignal): Promise<SendFailure | null> {
    const file = this.o.sendmail();
    if (file === null) {
      return {
        error: new AgentError('AGENT_ERR_NOTIFY', 'no sendmail on this node (set notify.mail.sendmail)', {
          cause: { searched: 'PATH, /usr/sbin, /usr/lib' },
        }),
        permanent: true,
      };
    }
    const text = mailText(m, this.o.origin, note, this.o.scrub, { to: this.o.to, from: this.o.from });
    // -i: a line with a lone dot is text, not the end. The addresses come last, each validated as an address.
    const run = await runWithInput(
      file,
      ['-i', ...(this.o.from ? ['-f', this.o.from] : []), ...this.o.to],
      text,
      this.o.timeoutMs,
      signal,
    );
    if (run.code === 0 && run.error === null) return null;
    const why =
      run.error && run.code === null && run.signal === null
        ? `cannot run ${file}: ${run.error.message}`
        : run.signal
          ? `${file} was stopped by ${run.signal} (time-out after ${this.o.timeoutMs} ms?)`
          : `${file} exited ${run.code}: ${this.o.scrub(run.stderr.trim().slice(-300))}`;
    return {
      error: new AgentError('AGENT_ERR_NOTIFY', `mail: ${why}`, {
        cause: run.error ?? { code: run.code, signal: run.signal },
      }),
      permanent: false,
    };
  }
}
