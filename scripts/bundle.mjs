// Bundles the CLI into dist/bin/ (code-split per subcommand) so `waotp sim` loads a few files, not hundreds:
// module loading was most of its start-up time. dist/bin sits at the same depth as dist/simulator, so
// paths such as ../../scenarios resolve the same from either.
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';

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
  logLevel: 'warning',
});
for (const asset of ['app.js', 'app.css']) copyFileSync(`src/simulator/ui/${asset}`, `dist/bin/${asset}`);
