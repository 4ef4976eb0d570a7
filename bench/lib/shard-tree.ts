// The watcher bench's shard tree (bench/watch-footprint.ts builds the same one; it exports nothing, as
// importing it runs it): `folders` folders of `files` small .tar files each, all ten days old.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const DAY = 86_400_000;

export function generateShardTree(root: string, folders = 1000, files = 100): void {
  const old = new Date(Date.now() - 10 * DAY);
  for (let d = 0; d < folders; d++) {
    const dir = path.join(root, `d-${String(d).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < files; i++) {
      const file = path.join(dir, `shard-${d % 16}-${String(i).padStart(6, '0')}.tar`);
      writeFileSync(file, Buffer.alloc(1 + ((d * 7 + i * 13) % 2048)));
      // A tree built over days: files are older than the "still growing" window.
      utimesSync(file, old, old);
    }
  }
}
