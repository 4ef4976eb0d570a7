// The session cookie. HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/
// (the page calls the API's own routes). Not Secure: the page is plain http to 127.0.0.1 through the tunnel,
// and a Secure cookie would never be sent back there.
export const SESSION_COOKIE = 'emb_session';

/** The value of one cookie in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

export function clearedCookie(): string {
  return sessionCookie('', 0);
}
