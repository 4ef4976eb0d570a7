// Turns the raw bytes of one log line into text safe to match, store and show.

// eslint-disable-next-line no-control-regex -- terminal colour codes start with ESC
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex -- counting control characters is the point
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f\ufffd]/g;

/**
 * Decodes UTF-8 (invalid sequences become U+FFFD, never an exception), drops colour codes and NUL bytes,
 * and replaces a line that is mostly binary with a short placeholder so rules and events never see junk.
 */
export function decodeLine(bytes: Buffer): string {
  const raw = bytes.toString('utf8');
  const controls = raw.match(CONTROL)?.length ?? 0;
  if (raw.length >= 8 && controls > raw.length * 0.3) return `[binary data, ${bytes.length} bytes]`;
  // eslint-disable-next-line no-control-regex -- NUL bytes from sparse or binary output
  return raw.replace(ANSI, '').replace(/\x00+/g, '').trimEnd();
}
