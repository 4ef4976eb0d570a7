// The SAS token refresher: public surface for the composition root, `emb-agent check` and the HTTP route.
export { TokenRefresher } from './refresher.js';
export { checkTokensConfig } from './check.js';
export { cronProblem, CronSchedule, type Schedule } from './schedule.js';
export { parseCollection, collectionProblems, type CollectionSpec } from './names.js';
export { readSubscriptionKey, keyFileProblems } from './key-file.js';
export { fetchSasToken, SasFetchError, type SasFailureKind } from './sas-client.js';
export { writeFileAtomic } from './atomic-write.js';
export { DEFAULT_BACKOFF } from './backoff.js';
export {
  TokenFileSchema,
  type TokenFile,
  type TokenEvent,
  type EventSink,
  type TokenRefresherDeps,
} from './types.js';
export type { TokenStatus } from '../api/tokens.js';
