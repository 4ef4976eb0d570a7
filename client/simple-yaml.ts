// Block-style YAML of nested mappings and plain or simply quoted scalars, read without the yaml package
// (loading it costs about as much as starting node). Anything else returns null: the caller then uses the
// real parser, so an odd but valid file is never misread.

const UNSAFE_VALUE = /^[{[&*!|>%@`]/;

/** A scalar's text, or null when it is not a simple one (flow, anchor, tag, block, escapes). */
export function simpleScalar(raw: string): string | null {
  const text = raw.trim();
  if (text === '' || UNSAFE_VALUE.test(text)) return null;
  const q = text[0];
  if (q === '"' || q === "'") {
    const end = text.indexOf(q, 1);
    if (end === -1 || text.slice(1, end).includes('\\') || !/^\s*(#.*)?$/.test(text.slice(end + 1)))
      return null;
    return text.slice(1, end);
  }
  const hash = text.search(/\s#/);
  return (hash === -1 ? text : text.slice(0, hash)).trim();
}

type Mapping = Record<string, unknown>;

export function parseSimpleYaml(text: string): Mapping | null {
  const root: Mapping = {};
  const stack: { indent: number; obj: Mapping }[] = [{ indent: 0, obj: root }];
  let pending: { parent: Mapping; key: string; indent: number } | null = null;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (/^\s*(#.*)?$/.test(line)) continue;
    if (line.includes('\t') || /^(---|\.\.\.|%)/.test(line)) return null;
    const m = /^( *)([A-Za-z0-9_][\w.-]*)\s*:(?=\s|$)(.*)$/.exec(line);
    if (!m) return null;
    const [, spaces, key, rest] = m as unknown as [string, string, string, string];
    const indent = spaces.length;
    if (pending) {
      if (indent > pending.indent) {
        const obj: Mapping = {};
        pending.parent[pending.key] = obj;
        stack.push({ indent, obj });
      } else pending.parent[pending.key] = null;
      pending = null;
    }
    while ((stack.at(-1) as (typeof stack)[number]).indent > indent) stack.pop();
    const top = stack.at(-1) as (typeof stack)[number];
    if (top.indent !== indent || Object.hasOwn(top.obj, key)) return null;
    if (/^\s*(#.*)?$/.test(rest)) {
      pending = { parent: top.obj, key, indent };
      continue;
    }
    const value = simpleScalar(rest);
    if (value === null) return null;
    top.obj[key] = value;
  }
  if (pending) pending.parent[pending.key] = null;
  return root;
}

/** The real parser, for what parseSimpleYaml declines: the one import site, so the bundle carries it once. */
export async function parseFullYaml(text: string): Promise<unknown> {
  return (await import('./yaml.js')).parseYaml(text);
}
