// Test helper: fake Slurm commands as executables in a folder (the adapter's binDir). Each records its
// argv, environment and working directory, then prints what it was told to.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface FakeBehaviour {
  stdout?: string;
  stderr?: string;
  exit?: number;
  /** Seconds to sleep (exec'd, so a kill reaches it) instead of answering. */
  sleep?: number;
}

export class FakeSlurm {
  constructor(readonly dir: string) {}

  /** (Re)writes the fake `name`; its output files are written next to it. */
  set(name: string, b: FakeBehaviour): void {
    const base = path.join(this.dir, name);
    writeFileSync(`${base}.stdout`, b.stdout ?? '');
    writeFileSync(`${base}.stderr`, b.stderr ?? '');
    const lines = [
      '#!/bin/sh',
      `{ printf '%s' '${name}'; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> '${path.join(this.dir, 'calls.log')}'`,
      `/usr/bin/env > '${base}.env'`,
      `pwd > '${base}.pwd'`,
      b.sleep === undefined ? '' : `exec /bin/sleep ${b.sleep}`,
      `/bin/cat '${base}.stdout'`,
      `/bin/cat '${base}.stderr' >&2`,
      `exit ${b.exit ?? 0}`,
    ];
    writeFileSync(base, `${lines.join('\n')}\n`);
    chmodSync(base, 0o755);
  }

  /** Every call so far: [command, ...argv]. */
  calls(): string[][] {
    const log = path.join(this.dir, 'calls.log');
    if (!existsSync(log)) return [];
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));
  }

  /** The environment the last call of `name` saw. */
  env(name: string): Record<string, string> {
    const text = readFileSync(path.join(this.dir, `${name}.env`), 'utf8');
    return Object.fromEntries(
      text
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  }

  cwd(name: string): string {
    return readFileSync(path.join(this.dir, `${name}.pwd`), 'utf8').trim();
  }
}
