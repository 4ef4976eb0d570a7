// A wait as the API shows it (ls, show, submit's reply).
import type { Waiting } from '../api/schemas.js';
import type { WaitRow } from '../tasks/waits.js';
import { scrubSecrets } from '../log.js';

export function waitingView(w: WaitRow): Waiting {
  return {
    state: w.state,
    after: w.after,
    reason: scrubSecrets(w.reason),
    blocked: w.blocked,
    released: w.released,
  };
}
