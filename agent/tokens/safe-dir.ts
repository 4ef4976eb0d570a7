// The token folder's path is walked with lstat before every write: jobs read these files, so a symlink or a
// folder of someone else's on the way would let another user of the login node redirect or replace them.
// Node has no openat(2), so the guarantee is this walk plus folders nobody else can write (no component can
// be swapped after it was checked) plus O_NOFOLLOW|O_EXCL on the temp file and a rename inside the folder.
import { chmod, lstat, mkdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { AgentError, errnoOf } from '../errors.js';

const DIR_MODE = 0o700;

function refuse(dir: string, why: string): AgentError {
  return new AgentError('AGENT_ERR_CONFIG', `tokens.outDir ${dir}: ${why}`, { details: { dir } });
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await lstat(p);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Checks every component of `dir` from the root down; with `create`, makes the missing ones 0700 (and only
 * those are ever chmod-ed). Above the user's own top folder a component may be root's (a root symlink such
 * as /cluster -> /lustre, a sticky /tmp); from that folder down each must be a real folder of the user's
 * that group and others cannot write. Returns the folders it created.
 */
export async function checkTokenDir(dir: string, uid: number, create: boolean): Promise<string[]> {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  const created: string[] = [];
  let mine = false;
  let p: string = path.sep;
  for (const part of parts) {
    p = path.join(p, part);
    let st = await lstatOrNull(p);
    if (st === null) {
      if (!create) throw refuse(dir, `${p} has disappeared since the agent checked it`);
      try {
        await mkdir(p, { mode: DIR_MODE });
        created.push(p);
        // umask may have taken bits off; this folder is the agent's own, so setting its mode is fine.
        await chmod(p, DIR_MODE);
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw refuse(dir, `cannot create ${p} (${(err as Error).message})`);
      }
      st = await lstat(p);
    }
    if (st.isSymbolicLink()) {
      if (mine)
        throw refuse(
          dir,
          `${p} is a symbolic link inside your own folder; token files are written through no link: replace it with a folder`,
        );
      if (st.uid !== 0)
        throw refuse(
          dir,
          `${p} is a symbolic link of uid ${st.uid}'s: it could point anywhere; use a folder of your own`,
        );
      continue;
    }
    if (!st.isDirectory()) throw refuse(dir, `${p} exists and is not a folder`);
    // A root-owned sticky folder (/tmp) is shared by design: what is below it counts, even for root.
    if (!mine && st.uid === 0 && (st.mode & 0o1000) !== 0) continue;
    if (st.uid === uid) mine = true;
    else if (mine) throw refuse(dir, `${p} belongs to uid ${st.uid}, not to you (uid ${uid})`);
    else if (st.uid !== 0)
      throw refuse(dir, `${p} belongs to uid ${st.uid}: the agent never writes into another user's folder`);
    else if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0)
      throw refuse(
        dir,
        `${p} can be written by others and is not sticky: anyone could swap what is below it`,
      );
    if (mine && (st.mode & 0o022) !== 0)
      throw refuse(
        dir,
        `${p} can be written by group or others, who could swap what is below it; fix: chmod go-w ${p}`,
      );
  }
  if (!mine) throw refuse(dir, 'is not inside a folder of yours');
  return created;
}
