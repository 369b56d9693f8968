// Writes contracts/<id>.openapi.json (and admin.openapi.json) from the built code: `npm run contracts`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildAdminContract } from '../dist/contracts/admin.js';
import { buildContract, stableStringify } from '../dist/contracts/build.js';
import { providers } from '../dist/providers/index.js';

const dir = new URL('../contracts/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const provider of providers) {
  writeFileSync(new URL(`${provider.id}.openapi.json`, dir), stableStringify(buildContract(provider)));
  console.log(`contracts/${provider.id}.openapi.json`);
}
writeFileSync(new URL('admin.openapi.json', dir), stableStringify(buildAdminContract(providers)));
console.log('contracts/admin.openapi.json');
