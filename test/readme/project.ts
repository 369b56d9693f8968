/**
 * A temp project that installs the packed waotp tarball the way a user does (`npm i -D waotp`), offline:
 * every dependency comes from npm's cache, pinned by the repository's own lockfile.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });

/** Packs the built package (no scripts: `npm test` has just built it) and installs it into a new project. */
export function createUserProject(extraDevDependencies: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'waotp-user-'));
  npm(['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], ROOT);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const registry = npm(['config', 'get', 'registry'], ROOT).trim().replace(/\/?$/, '/');
  const dependencies: Record<string, string> = { waotp: `file:${tarball}` };
  for (const name of extraDevDependencies) dependencies[name] = pkg.devDependencies[name];
  // The repository's lockfile pins every package; with a tarball URL for each, npm finds them all in its cache.
  const packages: Record<string, Record<string, unknown>> = { '': { name: 'waotp-user', dependencies } };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, Record<string, unknown>>)) {
    if (!path.startsWith('node_modules/') || entry.link) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = { resolved: `${registry}${name}/-/${name.split('/').pop()}-${entry.version}.tgz`, ...rest };
  }
  packages['node_modules/waotp'] = {
    version: pkg.version,
    resolved: `file:${tarball}`,
    license: pkg.license,
    dependencies: pkg.dependencies,
    bin: pkg.bin,
    engines: pkg.engines,
  };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'waotp-user', private: true, type: 'module', dependencies }, null, 2),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'waotp-user', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], dir);
  return dir;
}
