// docs/config.schema.json (for editors: `# yaml-language-server: $schema=...`) is what the zod schema says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { configJsonSchema } from '../../../agent/config/json-schema.js';

const file = path.resolve(import.meta.dirname, '../../../docs/config.schema.json');

t.test('docs/config.schema.json is in sync with agent/config/schema.ts', async (t) => {
  const published = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  t.same(
    published,
    configJsonSchema(),
    'run `npx tsx scripts/write-config-schema.ts` after changing the schema',
  );
});

t.test('the schema refuses unknown keys as the agent does, and knows every section', async (t) => {
  const schema = configJsonSchema() as {
    $schema: string;
    additionalProperties: boolean;
    properties: Record<string, { additionalProperties?: boolean; properties?: Record<string, unknown> }>;
  };
  t.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  t.equal(schema.additionalProperties, false);
  for (const section of ['api', 'slurm', 'watch', 'resume', 'tokens', 'lease', 'metrics']) {
    t.ok(schema.properties[section], section);
    t.equal(schema.properties[section]?.additionalProperties, false, `${section}: unknown keys refused`);
  }
  t.ok(schema.properties.metrics?.properties?.textfile, 'metrics.textfile');
});
