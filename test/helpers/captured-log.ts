// Test helper: a real logger (agent/log.ts, redaction and all) whose lines are kept in memory to be read back.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../agent/log.js';

export function capturedLogger(level: 'debug' | 'info' | 'warn' = 'info'): {
  logger: Logger;
  text: () => string;
} {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  return { logger: createLogger(level, sink), text: () => out };
}
