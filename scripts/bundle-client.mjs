// Builds dist/emb-client.mjs: emb-client and everything it imports in one ES module, Node built-ins only,
// so the file alone can be copied to a laptop (no node_modules, no native addon) and run by Node 20, 22, 24.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
// --outfile F: build elsewhere (the bundle test builds into its own empty folder).
const at = process.argv.indexOf('--outfile');
const outfile =
  at === -1 ? path.join(root, 'dist', 'emb-client.mjs') : path.resolve(process.argv[at + 1] ?? '');

const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The oldest Node the engines field allows.
  target: 'node20.19',
  // Fewer bytes to read and compile at every start; names stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};

// What only some runs need (the yaml parser for unusual config files, zod and the API schemas for --check)
// is most of the bytes. Each such dynamic import becomes one of a data: URL holding its own bundle: still
// one file, but Node compiles that code only when the import runs, not at every start. The chunk is stored
// brotli-compressed (base64): every start reads the whole file and scans its string literals, and ~1 MB of
// them cost as much as the rest of `--version`; `__embChunk` (below) inflates a chunk when it is imported.
const LAZY = [/^\.\/yaml\.js$/, /\/agent\/api\/schemas\.js$/];
const lazyChunks = {
  name: 'lazy-chunks',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || !LAZY.some((re) => re.test(args.path))) return undefined;
      const entry = args.path.startsWith('.')
        ? path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts')
        : args.path;
      const chunk = await build({
        ...COMMON,
        stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: root, loader: 'js' },
        write: false,
        metafile: true,
        // A CommonJS package inside (yaml) requires Node built-ins; a data: module has no require of its own.
        banner: { js: 'import{createRequire as __cr}from"node:module";const require=__cr("file:///");' },
      });
      lazyInputs.push(...Object.keys(chunk.metafile.inputs));
      const packed = brotliCompressSync(chunk.outputFiles[0].contents, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
      }).toString('base64');
      return { path: `${CHUNK_SCHEME}${packed}`, external: true };
    });
  },
};
const lazyInputs = [];
const CHUNK_SCHEME = 'emb-lazy-chunk:';
// zlib through getBuiltinModule: a static import would load it at every start, for a chunk most runs never use.
const CHUNK_LOADER =
  'const __embChunk=(z)=>import("data:text/javascript;base64,"+process.getBuiltinModule("node:zlib")' +
  '.brotliDecompressSync(Buffer.from(z,"base64")).toString("base64"));\n';

const result = await build({
  ...COMMON,
  entryPoints: [path.join(root, 'client', 'cli.ts')],
  outfile,
  write: false,
  plugins: [lazyChunks],
  // The copied file has no package.json beside it to read the version from.
  define: { __EMB_CLIENT_VERSION__: JSON.stringify(pkg.version) },
  metafile: true,
});

let code = result.outputFiles[0].text;
code = code.replace(/\bimport\("emb-lazy-chunk:([A-Za-z0-9+/=]+)"\)/g, '__embChunk("$1")');
if (code.includes(CHUNK_SCHEME)) throw new Error(`a lazy chunk's import was not rewritten in ${outfile}`);
// After the #! line, which must stay first.
const cut = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0;
code = code.slice(0, cut) + CHUNK_LOADER + code.slice(cut);
// A static import of a built-in runs at every start, whatever the command: only those already loaded by
// Node's own start-up may be imported so. Others (child_process, crypto, fs/promises, http...) pull in
// dozens of internal modules: import() them where used, or process.getBuiltinModule() in sync code.
const EAGER_OK = new Set(['node:fs', 'node:path', 'node:os', 'node:url']);
const eager = [
  ...code.matchAll(
    /\bimport\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*(?:from)?\s*"(node:[^"]+)"/g,
  ),
]
  .map((m) => m[1])
  .filter((b) => !EAGER_OK.has(b));
if (eager.length)
  throw new Error(
    `the client bundle imports ${[...new Set(eager)].join(', ')} at start-up: load it where used`,
  );
writeFileSync(outfile, code, { mode: 0o755 });

const inputs = [...Object.keys(result.metafile.inputs), ...lazyInputs];
const native = inputs.filter((f) => f.endsWith('.node'));
if (native.length) throw new Error(`the client bundle must hold no native addon, found ${native.join(', ')}`);
// yaml for configs beyond the simple scanner, zod for --check (the API's schemas): both load only then.
const ALLOWED = new Set(['yaml', 'zod']);
const packages = new Set(inputs.flatMap((f) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? []));
const foreign = [...packages].filter((p) => !ALLOWED.has(p));
if (foreign.length)
  throw new Error(`the client bundle pulled in ${foreign.join(', ')}: the client must stay light`);
const bytes = statSync(outfile).size;
console.log(
  `${path.relative(root, outfile)}: ${(bytes / 1024).toFixed(0)} KiB from ${new Set(inputs).size} modules`,
);
