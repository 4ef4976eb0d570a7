// The cookie path into the API, beside the bearer token (agent/http/auth.ts asks here when the token is
// absent). A session may read and may hold or release; any other change still needs the token, so a
// browser tab can never submit or resubmit. A state-changing request must also prove it comes from the
// page itself: its CSRF header, an Origin naming this very host, and no cross-site Sec-Fetch-Site.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { readCookie, SESSION_COOKIE } from './cookie.js';
import type { Sessions, WebSession } from './sessions.js';

export const CSRF_HEADER = 'x-emb-csrf';

/** What anyone may fetch: the page shell (it shows only a login hint without a session), its stylesheet and
 * icon, and the login link itself. None of them carries data. */
const PUBLIC_GET = new Set(['/', '/ui', '/ui/', '/ui/login', '/ui/app.css', '/ui/favicon.svg']);
/** The only changes a session may make. */
const SESSION_POST = new Set(['/hold', '/release', '/ui/logout']);

export type Verdict = { ok: true; session: WebSession } | { ok: false; status: 401 | 403; message: string };

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function sameText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function one(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

export class WebGuard {
  constructor(private readonly sessions: Sessions) {}

  isPublic(method: string, url: string): boolean {
    return (method === 'GET' || method === 'HEAD') && PUBLIC_GET.has(pathOf(url));
  }

  /** The session a request's cookie names, if it is live. */
  sessionOf(headers: IncomingHttpHeaders): WebSession | undefined {
    const id = readCookie(one(headers.cookie), SESSION_COOKIE);
    return id ? this.sessions.touch(id) : undefined;
  }

  /** null when the request carries no session cookie at all: the bearer rules answer it as before. */
  check(req: { method: string; url: string; headers: IncomingHttpHeaders }): Verdict | null {
    if (readCookie(one(req.headers.cookie), SESSION_COOKIE) === undefined) return null;
    const session = this.sessionOf(req.headers);
    if (!session) {
      return {
        ok: false,
        status: 401,
        message: 'the session expired or is unknown; run `emb-client open` again',
      };
    }
    if (req.method === 'GET' || req.method === 'HEAD') return { ok: true, session };
    const path = pathOf(req.url);
    if (req.method !== 'POST' || !SESSION_POST.has(path)) {
      return {
        ok: false,
        status: 403,
        message: `${req.method} ${path} needs the bearer token; the page's session may only read, hold and release`,
      };
    }
    const problem = this.crossSiteProblem(req.headers, session);
    return problem === null ? { ok: true, session } : { ok: false, status: 403, message: problem };
  }

  private crossSiteProblem(h: IncomingHttpHeaders, session: WebSession): string | null {
    const csrf = one(h[CSRF_HEADER]);
    if (csrf === undefined || !sameText(csrf, session.csrf)) {
      return `a change through the page's session needs its ${CSRF_HEADER} header`;
    }
    const site = one(h['sec-fetch-site']);
    if (site !== undefined && site !== 'same-origin') return `refused a ${site} request (Sec-Fetch-Site)`;
    const origin = one(h.origin);
    let originHost: string | undefined;
    try {
      originHost = origin === undefined ? undefined : new URL(origin).host;
    } catch (err) {
      void err; // an unparsable Origin is refused below like a missing one
    }
    if (originHost === undefined || originHost !== one(h.host)) {
      return 'a change through the page must come from the page itself (Origin must name this host)';
    }
    return null;
  }
}
