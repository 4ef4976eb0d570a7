// The files jobs read: `<outDir>/<stem>.json` (the record) and `<outDir>/<stem>.token` (the token alone,
// no trailing newline), each 0600 in a 0700 folder, each replaced atomically.
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AgentError } from '../errors.js';
import type { Logger } from '../log.js';
import { removeStaleTemps, writeFileAtomic } from './atomic-write.js';
import type { CollectionSpec } from './names.js';
import { TokenFileSchema, type EventSink, type TokenFile } from './types.js';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

export class TokenStore {
  constructor(
    readonly outDir: string,
    private readonly logger: Logger,
    private readonly onEvent: EventSink,
  ) {}

  jsonPath(spec: CollectionSpec): string {
    return path.join(this.outDir, `${spec.fileStem}.json`);
  }

  tokenPath(spec: CollectionSpec): string {
    return path.join(this.outDir, `${spec.fileStem}.token`);
  }

  /** Creates the folder 0700 (tightening a looser one, and saying so) and clears temp files of a crash. */
  async prepare(): Promise<void> {
    const dir = this.outDir;
    try {
      await mkdir(path.dirname(dir), { recursive: true });
      await mkdir(dir, { mode: DIR_MODE });
      // umask may have removed bits the agent itself needs.
      await chmod(dir, DIR_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AgentError(
          'AGENT_ERR_CONFIG',
          `tokens.outDir ${dir}: cannot create it (${(err as Error).message})`,
          {
            cause: err,
          },
        );
      }
    }
    const st = await stat(dir);
    if (!st.isDirectory())
      throw new AgentError('AGENT_ERR_CONFIG', `tokens.outDir ${dir} exists and is not a folder`);
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) {
      throw new AgentError(
        'AGENT_ERR_CONFIG',
        `tokens.outDir ${dir} belongs to uid ${st.uid}, not to this user (${uid})`,
      );
    }
    if ((st.mode & 0o077) !== 0) {
      await chmod(dir, DIR_MODE);
      const message = `token folder ${dir} had mode ${octal(st.mode)}, readable by others on a shared login node; set it to 0700`;
      this.logger.warn({ dir, was: octal(st.mode) }, message);
      this.onEvent({
        level: 'warn',
        kind: 'token-dir-mode-fixed',
        message,
        data: { dir, was: octal(st.mode) },
      });
    }
    const stale = await removeStaleTemps(dir);
    if (stale.length)
      this.logger.info({ dir, files: stale }, 'removed temp files left by an interrupted write');
  }

  /** The record on disk, or null when there is none or it cannot be used (then a warning says why). */
  async read(spec: CollectionSpec): Promise<TokenFile | null> {
    const file = this.jsonPath(spec);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.logger.warn(
        { file, err: (err as Error).message },
        'cannot read token file; treating it as missing',
      );
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      this.logger.warn(
        { file, err: (err as Error).message },
        'token file is not JSON; treating it as missing',
      );
      return null;
    }
    const parsed = TokenFileSchema.safeParse(json);
    if (!parsed.success || parsed.data.collection !== spec.id || !/(^|&)sig=/.test(parsed.data.token)) {
      this.logger.warn(
        { file },
        `token file does not hold a token record for ${spec.id}; treating it as missing`,
      );
      return null;
    }
    await this.tighten(file);
    await this.tighten(this.tokenPath(spec));
    return parsed.data;
  }

  /** Writes the .token file, then the .json record; each atomically, mode 0600. */
  async write(spec: CollectionSpec, record: TokenFile): Promise<void> {
    await writeFileAtomic(this.tokenPath(spec), record.token, FILE_MODE);
    await writeFileAtomic(this.jsonPath(spec), `${JSON.stringify(record, null, 2)}\n`, FILE_MODE);
  }

  /** Files from before (or chmod-ed by hand) are set back to 0600 rather than waiting for the next write. */
  private async tighten(file: string): Promise<void> {
    try {
      const st = await stat(file);
      if ((st.mode & 0o077) === 0) return;
      await chmod(file, FILE_MODE);
      this.logger.warn({ file, was: octal(st.mode) }, 'token file was readable by others; set it to 0600');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
