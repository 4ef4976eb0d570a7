// A JSON Schema of config.yaml for editors (yaml-language-server, VS Code, IntelliJ): completion, and unknown
// keys flagged as the agent refuses them. Generated from the zod schema, so it cannot drift from what the
// agent accepts; docs/config.schema.json is this, written by scripts/write-config-schema.ts.
import { z } from 'zod';
import { ConfigSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  // The input side: what a person writes, defaults optional. Draft 7 is what most YAML editors read best.
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return {
    ...schema,
    title: 'emb-agent config.yaml',
    description:
      'Config of emb-agent (~/.config/emb-agent/config.yaml). Relative paths are relative to workRoot ' +
      '(stateDir-relative for files kept in the state folder); `emb-agent check` validates the rest.',
  };
}
