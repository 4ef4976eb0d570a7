// Writes docs/config.schema.json from the zod schema of the config: `npx tsx scripts/write-config-schema.ts`.
// test/unit/config/json-schema.test.ts fails while the file says something else than this writes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { configJsonSchema } from '../agent/config/json-schema.js';

const file = path.resolve(import.meta.dirname, '..', 'docs', 'config.schema.json');
// Formatted as `npm run lint` (prettier --check, with the project's .prettierrc) wants it.
const options = { ...(await resolveConfig(file)), parser: 'json' };
writeFileSync(file, await format(JSON.stringify(configJsonSchema()), options));
process.stdout.write(`wrote ${file}\n`);
