// Exit codes in the shapes Slurm reports them.

export interface ExitStatus {
  exitCode: number | null;
  exitSignal: number | null;
}

const NONE: ExitStatus = { exitCode: null, exitSignal: null };

/** sacct's ExitCode "code:signal" ("3:0", "0:15"); '' -> nulls. undefined when it is not one. */
export function parseExitText(text: string): ExitStatus | undefined {
  const t = text.trim();
  if (t === '') return NONE;
  const m = /^(\d+):(\d+)$/.exec(t);
  if (!m) return undefined;
  return { exitCode: Number(m[1]), exitSignal: Number(m[2]) };
}

/**
 * A raw wait(2) status, as squeue's exit_code field and squeue JSON up to 23.02 give it:
 * 768 -> exit 3, 9 -> killed by signal 9.
 */
export function decodeWaitStatus(status: number): ExitStatus {
  if (!Number.isInteger(status) || status < 0 || status >= 0xfffffffe) return NONE;
  const signal = status & 0x7f;
  if (signal !== 0) return { exitCode: 0, exitSignal: signal };
  return { exitCode: (status >> 8) & 0xff, exitSignal: 0 };
}
