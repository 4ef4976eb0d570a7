// The real YAML parser, for config files the simple scanner declines. One import site, so the client bundle
// carries the parser once, and loads it only when such a file is read.
export async function parseYaml(text: string): Promise<unknown> {
  const { parse } = await import('yaml');
  return parse(text) as unknown;
}
