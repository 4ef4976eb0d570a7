// Fault injection for the scheduler: a folder of wrapper executables (the agent's slurm.binDir) that run the
// real Slurm commands, except that while the flag file `faults-on` exists every third call of each kind
// (calls 1, 4, 7, ... counted per kind under a lock) fails, in turn:
//   error   exits 1 with "slurm_load_jobs error: Socket timed out on send/recv operation" (not submitted);
//   hang    sleeps 600 s (exec'd, so the agent's time-out kills it);
//   garbage prints bytes no Slurm prints, and exits 0.
// Kinds of call: sbatch (a user's submit with a --comment of their own), sbatch-submit (a user's submit the
// agent tagged), sbatch-intent (a resubmission: its argv carries the agent's intent tag), sbatch-version,
// squeue, sacct, scancel, scontrol. For a tagged sbatch, hang and garbage come AFTER the real sbatch (the
// job exists but its answer is lost: the exactly-once case), and for a resubmission the turn starts with
// hang; for every other kind a fault replaces the real command, so nothing is half done. `on(kinds)` limits
// the faults to those kinds.
// Each call is logged to calls.log as "KIND N FAULT PID" (FAULT "ok" when it ran normally).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const COMMANDS = ['sbatch', 'squeue', 'sacct', 'scancel', 'scontrol'] as const;
export const SOCKET_TIMEOUT = 'slurm_load_jobs error: Socket timed out on send/recv operation';
const GARBAGE = '\\001\\002garbage: {this is not what Slurm prints} \\377\\376\\n|||\\n';

export interface FaultCall {
  kind: string;
  n: number;
  fault: 'ok' | 'error' | 'hang' | 'garbage';
  pid: number;
}

function script(dir: string, name: string): string {
  const q = (s: string) => `'${s}'`;
  return `#!/bin/sh
# Fault-injecting ${name}: see test/helpers/faulty-slurm.ts.
dir=${q(dir)}
kind=${name}
if [ "$kind" = sbatch ]; then
  case " $* " in
    *" --version "*) kind=sbatch-version ;;
    *" --comment=emb-agent:intent="*) kind=sbatch-intent ;;
    *" --comment=emb-agent:submit="*) kind=sbatch-submit ;;
  esac
fi
fault=ok
n=0
if [ -e "$dir/faults-on" ] && { [ ! -s "$dir/faults-on" ] || /bin/grep -qx "$kind" "$dir/faults-on"; }; then
  n=$(/usr/bin/flock "$dir/.lock" /bin/sh -c 'n=$(( $(/bin/cat "$1" 2>/dev/null || echo 0) + 1 )); echo $n >"$1"; echo $n' sh "$dir/count.$kind")
  if [ $(( n % 3 )) -eq 1 ]; then
    turn=$(( n / 3 ))
    [ "$kind" = sbatch-intent ] && turn=$(( turn + 1 ))
    case $(( turn % 3 )) in 0) fault=error ;; 1) fault=hang ;; 2) fault=garbage ;; esac
  fi
fi
echo "$kind $n $fault $$" >>"$dir/calls.log"
case "$kind:$fault" in
  *:ok) exec /usr/bin/${name} "$@" ;;
  *:error)
    echo "${name}: error: ${SOCKET_TIMEOUT}" >&2
    exit 1 ;;
  sbatch-intent:hang|sbatch-submit:hang)
    /usr/bin/sbatch "$@" >"$dir/lost-answer.$$"
    exec /bin/sleep 600 ;;
  *:hang) exec /bin/sleep 600 ;;
  sbatch-intent:garbage|sbatch-submit:garbage)
    /usr/bin/sbatch "$@" >"$dir/lost-answer.$$"
    printf '${GARBAGE}'
    exit 0 ;;
  *:garbage)
    printf '${GARBAGE}'
    exit 0 ;;
esac
`;
}

export class FaultySlurm {
  readonly dir: string;

  /** Writes the wrappers into `dir` (created); faults start off. */
  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    for (const name of COMMANDS) {
      const file = path.join(dir, name);
      writeFileSync(file, script(dir, name));
      chmodSync(file, 0o755);
    }
  }

  /** Turns faults on, for every kind of call or only for `kinds`. */
  on(kinds: readonly string[] = []): void {
    writeFileSync(path.join(this.dir, 'faults-on'), kinds.map((k) => `${k}\n`).join(''));
  }

  off(): void {
    rmSync(path.join(this.dir, 'faults-on'), { force: true });
  }

  calls(): FaultCall[] {
    const log = path.join(this.dir, 'calls.log');
    if (!existsSync(log)) return [];
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [kind, n, fault, pid] = l.split(' ');
        return { kind: kind as string, n: Number(n), fault: fault as FaultCall['fault'], pid: Number(pid) };
      });
  }

  /** Hung calls whose process still runs (exec'd into sleep: the pid is the wrapper's). */
  liveHangs(): number[] {
    return this.calls()
      .filter((c) => c.fault === 'hang' && isSleeping(c.pid))
      .map((c) => c.pid);
  }
}

function isSleeping(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/bin/sleep');
  } catch {
    return false;
  }
}
