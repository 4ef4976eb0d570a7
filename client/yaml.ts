// The real YAML parser, for config files the simple scanner declines. Imported dynamically from one place
// each, so the client bundle carries the parser once, and loads it only when such a file is read.
import { parse } from 'yaml';

export function parseYaml(text: string): unknown {
  return parse(text) as unknown;
}
