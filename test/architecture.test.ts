import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { providers } from '../src/providers/index.js';

const SRC = join(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

const providerFolders = readdirSync(join(SRC, 'providers')).filter((name) => statSync(join(SRC, 'providers', name)).isDirectory());

describe('architecture', () => {
  it('registers every provider folder, under its folder name, exactly once', () => {
    expect(providers.map((p) => p.id).sort()).toEqual([...providerFolders].sort());
  });

  it.each(providerFolders)('keeps the %s slice to its own folder, the shared provider modules and zod', (folder) => {
    for (const file of sourceFiles(join(SRC, 'providers', folder))) {
      for (const spec of importsOf(file)) {
        const allowed = spec === 'zod' || spec.startsWith('node:') || spec.startsWith('./') || /^\.\.\/[\w-]+\.js$/.test(spec);
        expect(allowed, `${relative(SRC, file)} imports ${spec}`).toBe(true);
      }
    }
  });

  it('keeps the simulator away from the sending core', () => {
    for (const file of sourceFiles(join(SRC, 'simulator'))) {
      for (const spec of importsOf(file)) expect(spec, relative(SRC, file)).not.toMatch(/\/core\//);
    }
  });

  it('keeps the sending core away from the simulator', () => {
    for (const file of sourceFiles(join(SRC, 'core'))) {
      for (const spec of importsOf(file)) expect(spec, relative(SRC, file)).not.toMatch(/simulator\//);
    }
  });

  it.each(providers.map((p) => [p.id, p] as const))('%s gives every send endpoint a working sample request', (_, provider) => {
    for (const endpoint of provider.endpoints.filter((e) => e.kind === 'send')) expect(endpoint.sample, endpoint.operationId).toBeTypeOf('function');
  });

  it.each(providers.map((p) => [p.id, p] as const))('%s documents every status an endpoint answers with a schema and an example', (_, provider) => {
    for (const endpoint of provider.endpoints) {
      for (const [status, spec] of Object.entries(endpoint.responses)) {
        expect(spec.schema.safeParse(spec.example).success, `${endpoint.operationId} ${status} example fits its schema`).toBe(true);
      }
    }
  });
});
