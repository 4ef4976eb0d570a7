// The files jobs read: `<outDir>/<stem>.json` (the record) and `<outDir>/<stem>.token` (the token alone,
// no trailing newline), each 0600 in a 0700 folder, each replaced atomically.
import { constants } from 'node:fs';
import { chmod, lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { removeStaleTemps, writeFileAtomic } from '../fs/atomic-write.js';
import type { CollectionSpec } from './names.js';
import { checkTokenDir } from './safe-dir.js';
import { TokenFileSchema, type EventSink, type TokenFile } from './types.js';
import { loggable } from '../errors.js';

const FILE_MODE = 0o600;

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

export class TokenStore {
  constructor(
    readonly outDir: string,
    private readonly logger: Logger,
    private readonly onEvent: EventSink,
    private readonly uid: number = process.getuid?.() ?? -1,
  ) {}

  jsonPath(spec: CollectionSpec): string {
    return path.join(this.outDir, `${spec.fileStem}.json`);
  }

  tokenPath(spec: CollectionSpec): string {
    return path.join(this.outDir, `${spec.fileStem}.token`);
  }

  /**
   * Checks the folder's path (creating what is missing 0700) and clears temp files of a crash. A folder the
   * agent did not create is never chmod-ed: one open to others is refused or, if only readable, reported.
   */
  async prepare(): Promise<void> {
    const dir = this.outDir;
    const created = await checkTokenDir(dir, this.uid, true);
    const st = await stat(dir);
    if (!created.includes(dir) && (st.mode & 0o077) !== 0) {
      const message = `token folder ${dir} has mode ${octal(st.mode)}: others can list it (the files stay 0600); consider chmod 700 ${dir}`;
      this.logger.warn({ dir, mode: octal(st.mode) }, message);
      this.onEvent({ level: 'warn', kind: 'token-dir-open', message, data: { dir, mode: octal(st.mode) } });
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
      // O_NOFOLLOW: a token file replaced by a link is not read through it.
      text = await readFile(file, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.logger.warn({ file, err: loggable(err) }, 'cannot read token file; treating it as missing');
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      this.logger.warn({ file, err: loggable(err) }, 'token file is not JSON; treating it as missing');
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
    // Checked again at every write: a folder on the way may have been replaced since the last one.
    await checkTokenDir(this.outDir, this.uid, false);
    await writeFileAtomic(this.tokenPath(spec), record.token, FILE_MODE);
    await writeFileAtomic(this.jsonPath(spec), `${JSON.stringify(record, null, 2)}\n`, FILE_MODE);
  }

  /** Files from before (or chmod-ed by hand) are set back to 0600 rather than waiting for the next write. */
  private async tighten(file: string): Promise<void> {
    try {
      const st = await lstat(file);
      if (!st.isFile() || (st.mode & 0o077) === 0) return;
      await chmod(file, FILE_MODE);
      this.logger.warn({ file, was: octal(st.mode) }, 'token file was readable by others; set it to 0600');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
