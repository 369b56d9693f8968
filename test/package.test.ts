import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { providers } from '../src/providers/index.js';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
// What `npm publish` would ship, without running `prepare` (npm test has just built dist/).
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
);
const files: string[] = packed[0].files.map((f: { path: string }) => f.path);

describe('the published package', () => {
  it('has a LICENSE matching its license field, and a repository', () => {
    expect(files).toContain('LICENSE');
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
  });

  it('ships the bin, every export, the UI assets, the scenarios and every contract', () => {
    const needed = [
      'README.md',
      'package.json',
      pkg.bin.waotp,
      'dist/bin/waotp.mjs',
      'dist/bin/app.js',
      'dist/bin/app.css',
      'scenarios/catalogue.yaml',
      'contracts/admin.openapi.json',
      ...providers.map((p) => `contracts/${p.id}.openapi.json`),
      ...Object.values(pkg.exports as Record<string, string>).map((target) => target.replace(/^\.\//, '')),
    ];
    for (const file of needed) expect(files, file).toContain(file);
  });

  it('ships no sources, tests, benchmarks or local files', () => {
    const stray = files.filter(
      (f) =>
        /^(src|test|bench|scripts|reports|node_modules|docs)\//.test(f) || /\.(test\.[jt]s|tsbuildinfo|log)$/.test(f),
    );
    expect(stray).toEqual([]);
    for (const entry of pkg.files as string[])
      expect(
        files.some((f) => f.startsWith(`${entry}/`) || f === entry),
        entry,
      ).toBe(true);
  });

  it('starts with a plain `#!/usr/bin/env node`, which BusyBox env and Windows shims understand', () => {
    expect(readFileSync(join(ROOT, pkg.bin.waotp), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
});
