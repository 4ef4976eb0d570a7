// The optional Planetary Computer subscription key: read only from a file no one else can read.
import { readFile, stat } from 'node:fs/promises';
import { AgentError } from '../errors.js';

/** Problems with the key file (empty when usable), each naming the file; for `emb-agent check` and start(). */
export async function keyFileProblems(file: string): Promise<string[]> {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    return [
      `tokens.subscriptionKeyFile ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`,
    ];
  }
  if (!st.isFile()) return [`tokens.subscriptionKeyFile ${file}: not a regular file`];
  const problems: string[] = [];
  // 0600 (or stricter, 0400): any group or other bit lets the hundreds of users on a login node read it.
  if ((st.mode & 0o077) !== 0) {
    const mode = `0${(st.mode & 0o777).toString(8)}`;
    problems.push(
      `tokens.subscriptionKeyFile ${file} has mode ${mode}; it must be 0600 (run: chmod 600 ${file})`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    problems.push(`tokens.subscriptionKeyFile ${file} belongs to uid ${st.uid}, not to this user (${uid})`);
  }
  return problems;
}

/** The key, trimmed; throws AGENT_ERR_CONFIG naming the file when its mode, owner or content is wrong. */
export async function readSubscriptionKey(file: string): Promise<string> {
  const problems = await keyFileProblems(file);
  if (problems.length) throw new AgentError('AGENT_ERR_CONFIG', problems.join('; '), { details: { file } });
  let key: string;
  try {
    key = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new AgentError('AGENT_ERR_CONFIG', `tokens.subscriptionKeyFile ${file}: cannot read it`, {
      cause: err,
    });
  }
  if (key === '' || /\s/.test(key)) {
    throw new AgentError(
      'AGENT_ERR_CONFIG',
      `tokens.subscriptionKeyFile ${file}: expected one key on one line`,
      {
        details: { file },
      },
    );
  }
  return key;
}
