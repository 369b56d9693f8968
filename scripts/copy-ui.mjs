// Part of `npm run build`. tsc compiles only TypeScript, so the inbox page's hand-written app.js and
// app.css are copied next to the compiled src/simulator/ui/index.js, which serves them from there.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const from = new URL('../src/simulator/ui/', import.meta.url);
const to = new URL('../dist/simulator/ui/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => /\.(js|css)$/.test(n)))
  copyFileSync(new URL(name, from), new URL(name, to));

// The default scenario catalogue, parsed once here, so `waotp sim` starts without loading the YAML parser
// (src/simulator/catalogue.ts reads it only while it is newer than scenarios/catalogue.yaml).
const { parse } = await import('yaml');
writeFileSync(
  new URL('../dist/catalogue.json', import.meta.url),
  JSON.stringify(parse(readFileSync(new URL('../scenarios/catalogue.yaml', import.meta.url), 'utf8'))),
);
