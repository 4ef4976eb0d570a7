// emb-client help [COMMAND]: the overview, or one command's options and examples.
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { commandHelp, usageText } from '../help.js';

export default async function help(ctx: Context): Promise<number> {
  const [name, ...extra] = ctx.parsed.positionals;
  if (extra.length) throw new UsageError('help takes at most one COMMAND');
  if (name === undefined) {
    ctx.out(usageText());
    return EXIT.ok;
  }
  const text = commandHelp(name);
  if (text === undefined) throw new UsageError(`unknown command "${name}"; see emb-client --help`);
  ctx.out(text);
  return EXIT.ok;
}
