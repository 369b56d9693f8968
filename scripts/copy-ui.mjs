// Part of `npm run build`. tsc compiles only TypeScript, so the inbox page's hand-written app.js and
// app.css are copied next to the compiled src/simulator/ui/index.js, which serves them from there.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const from = new URL('../src/simulator/ui/', import.meta.url);
const to = new URL('../dist/simulator/ui/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => /\.(js|css)$/.test(n)))
  copyFileSync(new URL(name, from), new URL(name, to));

// The default scenario catalogue, parsed and checked once here (by the same loader, reading the YAML while no
// prebuilt file exists), so `waotp sim` starts without the YAML parser or a schema check: src/simulator/catalogue.ts
// trusts it while it is newer than scenarios/catalogue.yaml.
const prebuilt = new URL('../dist/catalogue.json', import.meta.url);
rmSync(prebuilt, { force: true });
const { loadCatalogue } = await import('../dist/simulator/catalogue.js');
writeFileSync(prebuilt, JSON.stringify(loadCatalogue()));
