// What an sbatch argv (and its script's #SBATCH lines, which the argv overrides) asks for, as the rules
// read it. Pure: the caller reads the script.
import path from 'node:path';
import { optionValue, parseSbatchArgs, type SbatchArgs } from '../recipe/sbatch-args.js';
import { parseTimeSpec } from './time-spec.js';

export interface JobFacts {
  /** --partition as a list ("-p a,b"); empty when not given (the site's default applies). */
  partitions: string[];
  /** --time as written, or null when not given. */
  time: string | null;
  /** Minutes; null for UNLIMITED; undefined when not given or not a time. */
  timeMinutes: number | null | undefined;
  /** The memory option as written ("--mem=8G"), or null. */
  mem: string | null;
  /** The GPU option as written ("--gpus=4", "--gres=gpu:a100:2"), or null. */
  gpus: string | null;
  /** Absolute output and error paths (Slurm's %-patterns left in), or the working folder without --output. */
  writePaths: { option: string; path: string }[];
}

const MEM = ['mem', 'mem-per-cpu', 'mem-per-gpu'];
const GPUS = ['gpus', 'gpus-per-node', 'gpus-per-task', 'gpus-per-socket'];

/** `argv`: sbatch's arguments; `directives`: the script's #SBATCH tokens; `cwd`: where sbatch runs. */
export function jobFacts(argv: readonly string[], directives: readonly string[], cwd: string): JobFacts {
  const own = parseSbatchArgs(argv);
  const script = parseSbatchArgs([...directives, 'x']);
  const pick = (name: string) => optionValue(own, name) ?? optionValue(script, name);
  const written = (names: readonly string[], test: (v: string | null) => boolean = () => true) => {
    for (const args of [own, script] as SbatchArgs[]) {
      const o = [...args.options].reverse().find((x) => names.includes(x.name) && test(x.value));
      if (o) return o.tokens.join(' ');
    }
    return null;
  };
  const time = pick('time');
  const partition = pick('partition');
  const dir = path.resolve(cwd, pick('chdir') ?? '.');
  const writePaths: JobFacts['writePaths'] = [];
  // Without --output, Slurm writes slurm-%j.out into the working directory: only then is that a write.
  if (pick('output') === null) writePaths.push({ option: 'working directory (slurm-%j.out)', path: dir });
  for (const option of ['output', 'error']) {
    const v = pick(option);
    if (v !== null && v !== '/dev/null')
      writePaths.push({ option: `--${option}`, path: path.resolve(dir, v) });
  }
  return {
    partitions: partition === null ? [] : partition.split(',').filter((p) => p !== ''),
    time,
    timeMinutes: time === null ? undefined : parseTimeSpec(time),
    mem: written(MEM),
    gpus: written(GPUS) ?? written(['gres', 'tres-per-task'], (v) => /(^|,|\/)gpu\b/.test(v ?? '')),
    writePaths,
  };
}
