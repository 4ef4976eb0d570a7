// The batch script's #SBATCH lines, for what the argv leaves to them (a partition, a time).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { parseSbatchArgs, scriptDirectives } from '../recipe/sbatch-args.js';

/** Slurm's default max_script_size: sbatch refuses a larger script anyway. */
const MAX_SCRIPT_BYTES = 4 * 1024 * 1024;

/**
 * The script's #SBATCH tokens; [] for --wrap. Opened non-blocking and checked on the descriptor: a FIFO or
 * /dev/zero must not hang the agent. Throws when the script cannot be read (sbatch will say so too).
 */
export async function directivesOf(argv: readonly string[], cwd: string): Promise<string[]> {
  const { script } = parseSbatchArgs(argv);
  if (script === null) return [];
  const fh = await open(path.resolve(cwd, script), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${script} is not a regular file`);
    if (st.size > MAX_SCRIPT_BYTES) throw new Error(`${script} is larger than ${MAX_SCRIPT_BYTES} bytes`);
    return scriptDirectives(await fh.readFile('utf8'));
  } finally {
    await fh.close();
  }
}
