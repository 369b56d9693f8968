// Rewrites the generated blocks of README.md from the built code: `npm run docs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { providers } from '../dist/providers/index.js';
import { outcomeTable } from '../dist/simulator/outcome-table.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const block = /(<!-- outcome-table:start -->)[\s\S]*?(<!-- outcome-table:end -->)/;
if (!block.test(readme)) throw new Error('README.md has no outcome-table markers');
writeFileSync(file, readme.replace(block, `$1\n${outcomeTable(providers)}\n$2`));
console.log('README.md: outcome table updated');
