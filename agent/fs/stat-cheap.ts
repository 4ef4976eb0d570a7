// fs.stat through the callback API. An idle watch cycle is a thousand folder stats; measured here, the
// callback API with a few dozen stats queued costs a quarter of the CPU of fs/promises four at a time (the
// libuv pool runs four either way, so the filesystem sees no more at once).
import { stat, type Stats } from 'node:fs';

export function statCheap(p: string): Promise<Stats> {
  return new Promise((resolve, reject) => stat(p, (err, st) => (err ? reject(err) : resolve(st))));
}
