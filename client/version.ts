// emb-client's version: fixed into the single-file bundle when it is built, else read from package.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Replaced by the bundle script (esbuild define): the copied file has no package.json beside it.
declare const __EMB_CLIENT_VERSION__: string | undefined;

export function clientVersion(): string {
  if (typeof __EMB_CLIENT_VERSION__ === 'string') return __EMB_CLIENT_VERSION__;
  const here = path.dirname(fileURLToPath(import.meta.url));
  // client/ under the source tree, dist/client/ once built.
  for (const up of ['..', '../..']) {
    let text: string;
    try {
      text = readFileSync(path.resolve(here, up, 'package.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const pkg = JSON.parse(text) as { name?: string; version?: string };
    if (pkg.name === 'emb-agent' && pkg.version) return pkg.version;
  }
  return '0.0.0';
}
