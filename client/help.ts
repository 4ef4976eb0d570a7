// Help text built from the command table: the overview, and one command's own options and examples.
import { COMMANDS, GLOBAL_OPTIONS, type OptionSpec } from './registry.js';

/** Help lines wrap here: readable in an 80-column terminal with room to spare, and in a pager. */
const HELP_WIDTH = 100;

/** `text` after `lead`, wrapped at word breaks, later lines indented by `at` spaces. */
function hanging(lead: string, text: string, at: number): string {
  const lines: string[] = [];
  let line = lead;
  let first = true;
  for (const word of text.split(' ')) {
    if (!first && line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = ''.padEnd(at) + word;
    } else line += (first ? '' : ' ') + word;
    first = false;
  }
  lines.push(line);
  return lines.join('\n');
}

function optionLines(spec: OptionSpec, indent: string): string[] {
  const left = Object.entries(spec).map(([name, o]) => `--${name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(0, ...left.map((l) => l.length));
  const at = indent.length + width + 2;
  return Object.values(spec).map((o, i) =>
    hanging(`${indent}${(left[i] as string).padEnd(width)}  `, o.help, at),
  );
}

export function usageText(): string {
  const rows = Object.entries(COMMANDS)
    .filter(([, c]) => !c.hidden)
    .map(([name, c]) => [`${name}${c.args ? ` ${c.args}` : ''}`, c.summary] as const);
  const width = Math.min(28, Math.max(...rows.map(([l]) => l.length)));
  const at = width + 4;
  const lines = rows.map(([l, s]) =>
    l.length > width ? `  ${l}\n${hanging(''.padEnd(at), s, at)}` : hanging(`  ${l.padEnd(width)}  `, s, at),
  );
  return `usage: emb-client [--context NAME] [--url URL] [--token-file F] [--json] [--check] COMMAND [ARGS]

commands:
${lines.join('\n')}

options (before or after the command):
${optionLines(GLOBAL_OPTIONS, '  ').join('\n')}

TARGET: a job id (1234, 1234_7) or #SUBMISSION[:INDEX] (#12, #12:7).
The agent's address: --url, EMB_AGENT_URL, a context of the client config (--context, EMB_CONTEXT, or its
default), or api.listen in the config (default: the socket $XDG_RUNTIME_DIR/emb-agent/agent.sock or
/tmp/emb-agent-UID/agent.sock; \`health\` prints it).
Over TCP (a tunnel: --url http://127.0.0.1:PORT) the agent must prove it knows the token first. The token:
--token-file, EMB_AGENT_TOKEN_FILE, the context's tokenFile, or <stateDir>/api-token.
exit codes: 0 ok, 1 the agent answered with an error, 2 usage or setup error, 3 agent unreachable.
emb-client help COMMAND (or COMMAND --help) for a command's options and examples.
`;
}

/** One command's help, or undefined for a name that is not a command. */
export function commandHelp(name: string): string | undefined {
  const c = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!c || c.hidden) return undefined;
  const out = [`usage: emb-client ${name}${c.args ? ` ${c.args}` : ''}`, '', hanging('', c.summary, 0)];
  if (Object.keys(c.options).length) out.push('', 'options:', ...optionLines(c.options, '  '));
  if (c.examples.length) out.push('', 'examples:', ...c.examples.map((e) => `  ${e}`));
  out.push(
    '',
    'global options: --context NAME, --url URL, --token-file F, --json, --check (see emb-client --help)',
  );
  return `${out.join('\n')}\n`;
}
