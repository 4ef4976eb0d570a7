#!/usr/bin/env node
// emb-client: the thin client of emb-agent's local API. Kept small: each command loads only what it uses.
import { main } from './main.js';

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // `emb-client ls | head` closes the pipe early: that is not a failure.
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await main(process.argv.slice(2), process.env, process.cwd(), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
});
process.exitCode = code;
