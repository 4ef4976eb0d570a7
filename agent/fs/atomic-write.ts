// Replaces a file so that readers see the old content or the new, never a part: temp file in the same
// folder, write, fsync, rename over the target, fsync the folder (so the rename survives a crash).
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

// Leading dot: `*.json` globs in job scripts never match a temp file; the suffix says whose it was.
const TEMP_NAME = /^\..+\.tmp-\d+-[0-9a-f]{12}$/;

function tempPathFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`,
  );
}

/** Step 1: writes and fsyncs `data` to a new temp file beside `file`; returns its path. */
export async function writeTemp(file: string, data: string, mode = 0o600): Promise<string> {
  const temp = tempPathFor(file);
  // O_EXCL|O_NOFOLLOW: never follow or reuse an existing path (a planted link included); the mode is set
  // again below because umask may strip it.
  const fh = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    await fh.chmod(mode);
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close();
    await discard(temp);
    throw err;
  }
  await fh.close();
  return temp;
}

/** Best-effort removal of a temp file after a failure; the failure itself is what the caller reports. */
async function discard(temp: string): Promise<void> {
  try {
    await unlink(temp);
  } catch (err) {
    // A temp file left behind is harmless (hidden, and removeStaleTemps clears it at the next start).
    void err;
  }
}

/** fsync of a folder, so a rename in it is durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some network file systems refuse fsync on a folder; the rename is still atomic for readers.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    await fh.close();
  }
}

/** Step 2: renames the temp file over `file` and fsyncs the folder. */
async function commitTemp(temp: string, file: string): Promise<void> {
  await rename(temp, file);
  await syncDir(path.dirname(file));
}

/** Both steps; on failure the temp file is removed and `file` is untouched. */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const temp = await writeTemp(file, data, mode);
  try {
    await commitTemp(temp, file);
  } catch (err) {
    await discard(temp);
    throw err;
  }
}

/** Removes temp files a crash left in `dir` (only names writeTemp makes); returns their names. */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => TEMP_NAME.test(n));
  for (const n of names) {
    try {
      await unlink(path.join(dir, n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return names;
}
