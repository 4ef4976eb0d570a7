// Splits an sbatch argv into its options and the batch script, so options can be replaced or added
// before the script (options after the script belong to the script, and later options win).

/** Long options that take a required argument, from sbatch(1); "--opt value" consumes the next token. */
const LONG_WITH_ARG = new Set(
  (
    'account acctg-freq array batch bb bbf begin chdir cluster-constraint clusters comment constraint container ' +
    'container-id core-spec cores-per-socket cpu-freq cpus-per-gpu cpus-per-task deadline delay-boot dependency ' +
    'distribution error exclude export export-file extra extra-node-info gid gpu-bind gpu-freq gpus gpus-per-node ' +
    'gpus-per-socket gpus-per-task gres gres-flags hint input job-name kill-on-invalid-dep licenses mail-type ' +
    'mail-user mcs-label mem mem-bind mem-per-cpu mem-per-gpu mincpus network nodefile nodelist nodes ntasks ' +
    'ntasks-per-core ntasks-per-gpu ntasks-per-node ntasks-per-socket open-mode output partition power prefer ' +
    'priority profile qos reservation resv-ports signal sockets-per-node switches thread-spec threads-per-core ' +
    'time time-min tmp tres-per-task uid wckey wrap'
  ).split(' '),
);

/** Short options that take an argument, attached ("-p normal" or "-pnormal"). */
const SHORT_WITH_ARG = new Set('AabcCDdeFGiJLMmNnoopqStwx'.split(''));

export interface SbatchOption {
  /** Canonical long name when known ("array" for -a), else the name as written. */
  name: string;
  value: string | null;
  tokens: string[];
}

export interface SbatchArgs {
  options: SbatchOption[];
  /** The batch script, or null when --wrap is used (or none was given). */
  script: string | null;
  scriptArgs: string[];
}

const SHORT_TO_LONG: Record<string, string> = {
  A: 'account',
  a: 'array',
  b: 'begin',
  c: 'cpus-per-task',
  C: 'constraint',
  D: 'chdir',
  d: 'dependency',
  e: 'error',
  F: 'nodefile',
  G: 'gpus',
  i: 'input',
  J: 'job-name',
  L: 'licenses',
  M: 'clusters',
  m: 'distribution',
  N: 'nodes',
  n: 'ntasks',
  o: 'output',
  p: 'partition',
  q: 'qos',
  S: 'core-spec',
  t: 'time',
  w: 'nodelist',
  x: 'exclude',
  H: 'hold',
  h: 'help',
  k: 'no-kill',
  O: 'overcommit',
  Q: 'quiet',
  s: 'oversubscribe',
  v: 'verbose',
  V: 'version',
  W: 'wait',
  I: 'immediate',
};

export function parseSbatchArgs(argv: readonly string[]): SbatchArgs {
  const options: SbatchOption[] = [];
  let i = 0;
  while (i < argv.length) {
    const tok = argv[i] as string;
    if (tok === '--') {
      i++;
      break;
    }
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      const name = eq === -1 ? tok.slice(2) : tok.slice(2, eq);
      if (eq !== -1) {
        options.push({ name, value: tok.slice(eq + 1), tokens: [tok] });
      } else if (LONG_WITH_ARG.has(name) && i + 1 < argv.length) {
        options.push({ name, value: argv[i + 1] as string, tokens: [tok, argv[i + 1] as string] });
        i++;
      } else {
        options.push({ name, value: null, tokens: [tok] });
      }
      i++;
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1) {
      const letter = tok[1] as string;
      const name = SHORT_TO_LONG[letter] ?? letter;
      if (SHORT_WITH_ARG.has(letter)) {
        if (tok.length > 2) options.push({ name, value: tok.slice(2), tokens: [tok] });
        else if (i + 1 < argv.length) {
          options.push({ name, value: argv[i + 1] as string, tokens: [tok, argv[i + 1] as string] });
          i++;
        } else options.push({ name, value: null, tokens: [tok] });
      } else {
        options.push({ name, value: tok.length > 2 ? tok.slice(2) : null, tokens: [tok] });
      }
      i++;
      continue;
    }
    break;
  }
  const rest = argv.slice(i);
  const wraps = options.some((o) => o.name === 'wrap');
  if (wraps) return { options, script: null, scriptArgs: [...rest] };
  return { options, script: rest[0] ?? null, scriptArgs: rest.slice(1) };
}

/** The value of the last occurrence of an option (later options win in sbatch). */
export function optionValue(args: SbatchArgs, name: string): string | null {
  for (let i = args.options.length - 1; i >= 0; i--) {
    const o = args.options[i] as SbatchOption;
    if (o.name === name) return o.value;
  }
  return null;
}

/**
 * Rebuilds an argv with the named options removed and `extra` options added after the others,
 * before the script, so they take effect and override any #SBATCH line.
 */
export function rebuildArgs(args: SbatchArgs, remove: readonly string[], extra: readonly string[]): string[] {
  const kept = args.options.filter((o) => !remove.includes(o.name)).flatMap((o) => o.tokens);
  const tail = args.script === null ? args.scriptArgs : [args.script, ...args.scriptArgs];
  return [...kept, ...extra, ...tail];
}

/** #SBATCH lines of a batch script (only those before the first command, as sbatch reads them). */
export function scriptDirectives(scriptText: string): string[] {
  const out: string[] = [];
  for (const raw of scriptText.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#SBATCH')) {
      // A "#" after the directive starts a comment.
      const body = line.slice('#SBATCH'.length).split(/\s#/)[0] as string;
      out.push(...body.trim().split(/\s+/).filter(Boolean));
      continue;
    }
    if (line.startsWith('#')) continue;
    break;
  }
  return out;
}
