// Whether a systemd user manager answers for this login session. `systemctl --user` talks to it through
// $XDG_RUNTIME_DIR/systemd/private or the D-Bus socket $XDG_RUNTIME_DIR/bus; over ssh without a PAM
// systemd session (or where the site disabled user managers) neither exists, and every `systemctl --user`
// step would fail with "Failed to connect to bus". A socket file can outlive its manager: connect to it.
import { connect } from 'node:net';
import path from 'node:path';
import { describeError } from '../errors.js';

export interface UserManagerProbe {
  reachable: boolean;
  /** What was found, for the user: the socket that answered, or why none did. */
  why: string;
}

function answers(socket: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const c = connect(socket);
    const done = (problem: string | null) => {
      c.destroy();
      resolve(problem);
    };
    c.setTimeout(timeoutMs, () => done('no answer'));
    c.once('connect', () => done(null));
    c.once('error', (err) => done(describeError(err)));
  });
}

export async function probeUserManager(
  runtimeDir: string | undefined,
  timeoutMs = 2000,
): Promise<UserManagerProbe> {
  if (!runtimeDir) {
    return { reachable: false, why: 'XDG_RUNTIME_DIR is not set (no systemd login session)' };
  }
  const problems: string[] = [];
  for (const socket of [path.join(runtimeDir, 'systemd', 'private'), path.join(runtimeDir, 'bus')]) {
    const problem = await answers(socket, timeoutMs);
    if (problem === null) return { reachable: true, why: `${socket} answers` };
    problems.push(`${socket}: ${problem}`);
  }
  return { reachable: false, why: `no systemd user manager answers (${problems.join('; ')})` };
}
