// Corpus helpers: a seeded random source (every run sees the same inputs, so a failure reproduces) and
// mutations that turn a well-formed input into the kinds of damage real output suffers.

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

const int = (rand: Rand, n: number) => Math.floor(rand() * n);

/** Bytes no Slurm command prints on a good day: NUL, controls, invalid UTF-8, the delimiters themselves. */
export function junk(rand: Rand, length: number): string {
  const alphabet = [
    '\u0000',
    '\u0001',
    '\u001f',
    '\u007f',
    '\ufffd',
    '|',
    '\n',
    '\r',
    '[',
    ']',
    '%',
    '_',
    '{',
    '"',
  ];
  let out = '';
  for (let i = 0; i < length; i++) {
    out +=
      rand() < 0.5 ? (alphabet[int(rand, alphabet.length)] as string) : String.fromCharCode(int(rand, 0x250));
  }
  return out;
}

/**
 * One random kind of damage: cut short, drop a piece, duplicate a piece, insert junk, overwrite a piece with
 * bytes from elsewhere, put an out-of-range number in, or repeat the whole.
 */
export function mutate(rand: Rand, input: string): string {
  const at = int(rand, input.length + 1);
  const to = Math.min(input.length, at + int(rand, 40));
  switch (int(rand, 7)) {
    case 0:
      return input.slice(0, at);
    case 1:
      return input.slice(0, at) + input.slice(to);
    case 2:
      return input.slice(0, to) + input.slice(at, to) + input.slice(to);
    case 3:
      return input.slice(0, at) + junk(rand, 1 + int(rand, 12)) + input.slice(at);
    case 4: {
      const other = int(rand, input.length + 1);
      return input.slice(0, at) + input.slice(other, other + 8) + input.slice(at + 8);
    }
    case 5:
      return input.slice(0, at) + String(int(rand, 10) === 0 ? -1 : 2 ** 53 + 1) + input.slice(to);
    default:
      return input.repeat(2 + int(rand, 3));
  }
}

/** A few mutations stacked, so some inputs are badly broken and some barely. */
export function damage(rand: Rand, input: string): string {
  let out = input;
  const n = 1 + int(rand, 3);
  for (let i = 0; i < n; i++) out = mutate(rand, out);
  return out;
}

/** An input shown in a test name or message: short, escaped. */
export function show(input: string): string {
  const s = JSON.stringify(input);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
