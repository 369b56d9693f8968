// Part of `npm run build`: tsc compiles only TypeScript, so the inbox page's hand-written app.js and
// app.css are copied next to the compiled src/simulator/ui/index.js, which serves them from there.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';

const from = new URL('../src/simulator/ui/', import.meta.url);
const to = new URL('../dist/simulator/ui/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => /\.(js|css)$/.test(n))) copyFileSync(new URL(name, from), new URL(name, to));
