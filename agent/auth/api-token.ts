// The API's bearer token: a random secret in <stateDir>/api-token, readable by its owner only.
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
  closeSync,
  fsyncSync,
  unlinkSync,
} from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';

function writeNewToken(file: string): string {
  const token = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // Created 0600 from the first byte (O_EXCL): there is no moment in which others could read it.
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${token}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  return token;
}

/**
 * Returns the API token, creating it at first start. A token file that others could read is replaced:
 * its secret may be known, and a new one costs the owner nothing but a client re-read.
 */
export function ensureApiToken(file: string, logger: Logger): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    logger.info({ file }, 'created the API token');
    return writeNewToken(file);
  }
  if ((st.mode & 0o077) !== 0) {
    logger.warn(
      { file, mode: (st.mode & 0o777).toString(8) },
      'the API token file was readable by others; replaced it',
    );
    return writeNewToken(file);
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16) {
    logger.warn({ file }, 'the API token file held no usable token; replaced it');
    return writeNewToken(file);
  }
  return token;
}
