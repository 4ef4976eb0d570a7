// Shared setup for the token tests: a fake clock, the fake SAS server, a refresher writing into a temp dir,
// a log captured as text, and helpers that wait for real I/O to settle between fake-clock steps.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { Test } from 'tap';
import type { Config } from '../../agent/config/load.js';
import { createLogger, type Logger } from '../../agent/log.js';
import { TokenRefresher } from '../../agent/tokens/refresher.js';
import type { BackoffPolicy, TokenEvent, TokenFile } from '../../agent/tokens/types.js';
import { FakeClock } from './fake-clock.js';
import { FakeSasServer, type FakeSasServerOptions } from './fake-sas-server.js';

// Cron fields are local time; pin the zone so "every 10 minutes" lines up with the UTC test times.
process.env.TZ = 'UTC';

export const START = Date.UTC(2026, 0, 1, 12, 0, 30);
export const MIN = 60_000;

/** Polls (real time, no fixed sleeps in assertions) until pred() holds; fails after timeoutMs. */
export async function until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export interface CapturedLog {
  logger: Logger;
  text(): string;
}

/** A real pino logger (with the agent's redaction and scrubbing) writing into memory. */
export function captureLog(): CapturedLog {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logger: createLogger('trace', stream), text: () => chunks.join('') };
}

export interface Harness {
  clock: FakeClock;
  server: FakeSasServer;
  refresher: TokenRefresher;
  config: Config['tokens'];
  events: TokenEvent[];
  log: CapturedLog;
  outDir: string;
  /** Resolves once every collection has a planned next request (no request or file write under way). */
  settle(): Promise<void>;
  /** Fires the next timer and settles. */
  step(): Promise<void>;
  /** Steps through every timer up to `target` (epoch ms), then sets the clock there. */
  driveTo(target: number): Promise<void>;
  /** The .json record of a collection's file stem. */
  readRecord(stem: string): TokenFile;
}

export interface HarnessOptions {
  tokens?: Partial<Config['tokens']>;
  server?: Partial<FakeSasServerOptions>;
  backoff?: Partial<BackoffPolicy>;
  random?: () => number;
  start?: boolean;
  /** A folder made with t.testdir() already (t.testdir() may be called once per test). */
  dir?: string;
}

export async function harness(t: Test, opts: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock(START);
  const server = await FakeSasServer.start({ now: () => clock.now(), ...opts.server });
  const outDir = path.join(opts.dir ?? t.testdir(), 'tmp', 'sas');
  const config: Config['tokens'] = {
    apiBase: server.url,
    collections: ['usda-cdl'],
    outDir,
    refreshMarginSeconds: 900,
    refreshCron: '*/10 * * * *',
    requestTimeoutSeconds: 5,
    ...opts.tokens,
  };
  const events: TokenEvent[] = [];
  const log = captureLog();
  const refresher = new TokenRefresher({
    config,
    clock,
    logger: log.logger,
    onEvent: (e) => events.push(e),
    random: opts.random ?? (() => 0),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  });
  t.teardown(async () => {
    await refresher.stop();
    await server.close();
  });
  const settle = () =>
    until(
      () => refresher.status().every((s) => s.nextRefreshAt !== null),
      'every collection to have a next refresh',
    );
  const step = async () => {
    await clock.runNext();
    await settle();
  };
  const driveTo = async (target: number) => {
    for (let due = clock.nextDue(); due !== null && due <= target; due = clock.nextDue()) await step();
    await clock.advanceTo(target);
  };
  const readRecord = (stem: string) =>
    JSON.parse(readFileSync(path.join(outDir, `${stem}.json`), 'utf8')) as TokenFile;
  const h: Harness = {
    clock,
    server,
    refresher,
    config,
    events,
    log,
    outDir,
    settle,
    step,
    driveTo,
    readRecord,
  };
  if (opts.start !== false) {
    await refresher.start();
    await settle();
  }
  return h;
}

/** The `sig=` values of tokens, for leak checks. */
export function sigValues(tokens: readonly string[]): string[] {
  return tokens.map((tok) => /(?:^|&)sig=([^&]+)/.exec(tok)?.[1]).filter((s): s is string => s !== undefined);
}

/**
 * Reads `file` in a tight loop on another thread until told to stop; counts reads, broken reads (not JSON,
 * or cut short), and distinct versions seen.
 */
export function startReader(file: string): {
  stop(): Promise<{ reads: number; broken: number; versions: number }>;
} {
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(
    `
    const { workerData, parentPort } = require('node:worker_threads');
    const fs = require('node:fs');
    const stop = new Int32Array(workerData.flag);
    let reads = 0, broken = 0;
    const versions = new Set();
    while (Atomics.load(stop, 0) === 0) {
      const text = fs.readFileSync(workerData.file, 'utf8');
      reads++;
      let doc = null;
      try { doc = JSON.parse(text); } catch (err) { broken++; continue; }
      if (doc.padding !== undefined && doc.padding.length !== doc.size) broken++;
      if (doc.token !== undefined && !/&sig=/.test(doc.token)) broken++;
      versions.add(doc.version ?? doc.token);
    }
    parentPort.postMessage({ reads, broken, versions: versions.size });
    `,
    { eval: true, workerData: { file, flag } },
  );
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        Atomics.store(new Int32Array(flag), 0, 1);
      }),
  };
}
