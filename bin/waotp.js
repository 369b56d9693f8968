#!/usr/bin/env node
// Runs the bundled CLI (`npm ci` builds it through `prepare`). A plain shebang: `env -S` is missing on
// BusyBox/Alpine and npm's Windows shims ignore shebang flags. The servers bound their heap themselves
// (src/cli/heap.ts); other V8 flags go in NODE_OPTIONS.
import { main } from '../dist/bin/waotp.mjs';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (error) => {
    console.error(`waotp: ${error?.message ?? error}`);
    process.exitCode = 1;
  },
);
