// What every command receives: the parsed command line, a lazily connected Api, and an output sink.
import type { Api } from './api.js';
import type { Parsed } from './args.js';

export interface Context {
  parsed: Parsed;
  env: NodeJS.ProcessEnv;
  cwd: string;
  api(): Promise<Api>;
  out(text: string): void;
  /** The terminal's width when stdout is one (tables fit it), else undefined (no limit). */
  width: number | undefined;
  /** Resolves after `ms`; events --follow waits with it. */
  sleep(ms: number): Promise<void>;
}

export type Command = (ctx: Context) => Promise<number>;
