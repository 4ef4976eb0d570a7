// The page's files, built by web/build.mjs into dist/web. Read on first request and kept: they change only
// with a new build, and the agent restarts for that.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentError } from '../errors.js';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * dist/web beside the built agent (dist/agent/web/ -> dist/web/), or, when the agent runs from its sources
 * (tests under tsx), the repository's dist/web.
 */
export function defaultPageDir(): string {
  const built = fileURLToPath(new URL('../../web/', import.meta.url));
  if (existsSync(path.join(built, 'app.js'))) return built;
  return fileURLToPath(new URL('../../dist/web/', import.meta.url));
}

export class PageAssets {
  private loaded: Promise<Map<string, Asset>> | undefined;

  constructor(private readonly dir: string) {}

  /** The file by its name under the page folder ("app.js"), or undefined when there is none. */
  async get(name: string): Promise<Asset | undefined> {
    this.loaded ??= this.load().catch((err: unknown) => {
      this.loaded = undefined; // a later request tries again (the build may finish meanwhile)
      throw err;
    });
    return (await this.loaded).get(name);
  }

  private async load(): Promise<Map<string, Asset>> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      throw new AgentError(
        'AGENT_ERR_NOT_FOUND',
        `the web page is not built (${this.dir}): run \`npm run build\` in the agent's folder`,
        { cause: err },
      );
    }
    const out = new Map<string, Asset>();
    for (const name of names) {
      const type = TYPES[path.extname(name)];
      if (!type) continue;
      const body = await readFile(path.join(this.dir, name));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      out.set(name, { body, type, etag });
    }
    return out;
  }
}
