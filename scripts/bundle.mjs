// Bundles the CLI into dist/bin/ (code-split per subcommand) so `waotp sim` loads a few files, not hundreds:
// module loading was most of its start-up time. dist/bin sits at the same depth as dist/simulator, so
// paths such as ../../scenarios resolve the same from either.
import { copyFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// zod re-exports its ~40 translated error-message sets as `z.locales`, which nothing here uses: a third of the
// zod code every command parsed at start. The English messages zod configures itself with are imported apart.
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/node_modules/zod/') ? { path: 'zod-locales', namespace: 'english-only-zod' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: process.cwd(),
    }));
  },
};

// Chunk names carry hashes: stale chunks of earlier builds would otherwise pile up in the package.
rmSync('dist/bin', { recursive: true, force: true });

await build({
  entryPoints: { waotp: 'src/cli/index.ts' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  // Bundled CommonJS packages call require() for Node's own modules.
  banner: {
    js:
      "import { createRequire as __waotpRequire } from 'node:module'; " +
      'const require = __waotpRequire(import.meta.url);',
  },
  plugins: [englishOnlyZod],
  logLevel: 'warning',
});
for (const asset of ['app.js', 'app.css']) copyFileSync(`src/simulator/ui/${asset}`, `dist/bin/${asset}`);
