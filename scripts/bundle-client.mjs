// Builds dist/emb-client.mjs: emb-client and everything it imports in one ES module, Node built-ins only,
// so the file alone can be copied to a laptop (no node_modules, no native addon) and run by Node 20, 22, 24.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
// one file, but Node compiles that code only when the import runs, not at every start.
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
      const code = chunk.outputFiles[0].text;
      return { path: `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`, external: true };
    });
  },
};
const lazyInputs = [];

const result = await build({
  ...COMMON,
  entryPoints: [path.join(root, 'client', 'cli.ts')],
  outfile,
  plugins: [lazyChunks],
  // The copied file has no package.json beside it to read the version from.
  define: { __EMB_CLIENT_VERSION__: JSON.stringify(pkg.version) },
  metafile: true,
});

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
