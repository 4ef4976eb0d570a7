// What `emb-agent check` reports about the tokens section: each problem names its key and what is wrong.
import type { Config } from '../config/load.js';
import { keyFileProblems } from './key-file.js';
import { collectionProblems } from './names.js';
import { cronProblem } from './schedule.js';

export async function checkTokensConfig(tokens: Config['tokens']): Promise<string[]> {
  const problems = collectionProblems(tokens.collections);
  const cron = cronProblem(tokens.refreshCron);
  if (cron !== null) problems.push(`tokens.refreshCron: ${cron}`);
  if (tokens.subscriptionKeyFile !== undefined)
    problems.push(...(await keyFileProblems(tokens.subscriptionKeyFile)));
  return problems;
}
