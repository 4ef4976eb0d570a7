// The SAS token refresher: public surface for the composition root and `emb-agent check`.
export { TokenRefresher } from './refresher.js';
export { checkTokensConfig } from './check.js';
export { parseCollection } from './names.js';
export { readSubscriptionKey } from './key-file.js';
export { fetchSasToken, SasFetchError } from './sas-client.js';
