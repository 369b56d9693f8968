import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { credentialHeaders, secretHeaders } from '../src/providers/define.js';
import { providers, registry } from '../src/providers/index.js';
import { createSimulator } from '../src/simulator/app.js';
import { findRouteCollisions, pathsOverlap } from '../src/simulator/route-collisions.js';

const SRC = join(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => (m[1] ?? m[2])!);
}

const providerFolders = readdirSync(join(SRC, 'providers')).filter((name) =>
  statSync(join(SRC, 'providers', name)).isDirectory(),
);

describe('architecture', () => {
  it('registers every provider folder, under its folder name, exactly once', () => {
    expect(providers.map((p) => p.id).sort()).toEqual([...providerFolders].sort());
  });

  it('lists every provider in the registry under its own id, in the same order as the loaded definitions', () => {
    expect(registry.map((entry) => entry.id)).toEqual(providers.map((p) => p.id));
  });

  it("derives credential and secret headers from each provider's security schemes", () => {
    const byId = Object.fromEntries(
      providers.map((p) => [p.id, { credentials: credentialHeaders(p), secrets: secretHeaders(p) }]),
    );
    expect(byId.verihubs).toEqual({ credentials: ['app-id', 'api-key'], secrets: ['api-key'] });
    expect(byId.botcake).toEqual({ credentials: ['access-token'], secrets: ['access-token'] });
    expect(byId['whatsapp-cloud']).toEqual({ credentials: ['authorization'], secrets: ['authorization'] });
  });

  it('has no two providers answering the same request at the server root', () => {
    expect(findRouteCollisions(providers)).toEqual([]);
  });

  it('refuses to start a simulator whose providers collide, naming both routes', () => {
    const splashify = providers.find((p) => p.id === 'splashify')!;
    const copy = { ...splashify, id: 'copycat' };
    expect(() => createSimulator({ providers: [...providers, copy] })).toThrow(
      new RegExp(
        /route collision between providers: POST \/api\/v1\/public\/message \(splashify sendMessage\)/.source +
          / and POST \/api\/v1\/public\/message \(copycat sendMessage\)/.source,
      ),
    );
  });

  it('tells overlapping paths apart from disjoint ones, parameter patterns included', () => {
    expect(pathsOverlap('/v1/messages', '/:version/messages')).toBe(true);
    expect(pathsOverlap('/v1/messages', '/:version{v\\d+\\.\\d+}/messages')).toBe(false);
    expect(pathsOverlap('/v18.0/messages', '/:version{v\\d+\\.\\d+}/messages')).toBe(true);
    expect(pathsOverlap('/v1/messages', '/v1/:id/messages')).toBe(false);
    expect(pathsOverlap('/v1/*', '/v1/a/b')).toBe(true);
  });

  it('keeps waotp serve (production) free of the simulator, simulated replies and its id generator', async () => {
    // Bundled as the CLI is (split at dynamic imports): what serve loads is its chunk and the chunks that
    // chunk imports statically; the registry's lazy definition loaders become chunks serve never loads.
    const { metafile } = await build({
      entryPoints: [join(SRC, 'cli/serve.ts')],
      bundle: true,
      splitting: true,
      outdir: join(import.meta.dirname, '.serve-bundle'),
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
    const entry = Object.keys(metafile.outputs).find((out) => metafile.outputs[out]!.entryPoint)!;
    const loaded = new Set<string>();
    const visit = (out: string) => {
      if (loaded.has(out)) return;
      loaded.add(out);
      for (const i of metafile.outputs[out]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
    };
    visit(entry);
    const outputs = [...loaded].map((out) => metafile.outputs[out]!);
    const files = outputs.flatMap((o) => Object.keys(o.inputs)).map((file) => relative(SRC, join(process.cwd(), file)));
    const packages = outputs.flatMap((o) =>
      o.imports.filter((i) => i.external && i.kind === 'import-statement').map((i) => i.path),
    );
    expect(files).toContain('providers/splashify/adapter.ts');
    expect(files).toContain('core/server.ts');
    const simulatorOnly = files.filter(
      (file) =>
        file.startsWith('simulator/') ||
        file === 'providers/index.ts' ||
        /^providers\/[\w-]+\/(index|simulate|sandbox|sessions|flow)\.ts$/.test(file),
    );
    expect(simulatorOnly).toEqual([]);
    expect(packages.filter((name) => name.startsWith('pure-rand') || name.startsWith('hono/jsx'))).toEqual([]);
  });

  it.each(providerFolders)('keeps the %s slice to its own folder, the shared provider modules and zod', (folder) => {
    for (const file of sourceFiles(join(SRC, 'providers', folder))) {
      for (const spec of importsOf(file)) {
        const allowed =
          spec === 'zod' || spec.startsWith('node:') || spec.startsWith('./') || /^\.\.\/[\w-]+\.js$/.test(spec);
        expect(allowed, `${relative(SRC, file)} imports ${spec}`).toBe(true);
      }
    }
  });

  it('keeps lines of source and tests within 120 characters, and no simulator module over 250 lines', () => {
    const root = join(import.meta.dirname, '..');
    const files = [...sourceFiles(SRC), ...sourceFiles(join(root, 'test'))];
    const long = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (line.length > 120 ? [`${relative(root, file)}:${i + 1}`] : [])),
    );
    expect(long).toEqual([]);
    const simulator = sourceFiles(join(SRC, 'simulator')).filter((file) => !file.includes('/ui/'));
    const big = simulator.filter((file) => readFileSync(file, 'utf8').split('\n').length > 250);
    expect(big.map((file) => relative(SRC, file))).toEqual([]);
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

  it.each(providers.map((p) => [p.id, p] as const))(
    '%s gives every send endpoint a working sample request',
    (_, provider) => {
      for (const endpoint of provider.endpoints.filter((e) => e.kind === 'send'))
        expect(endpoint.sample, endpoint.operationId).toBeTypeOf('function');
    },
  );

  it.each(providers.map((p) => [p.id, p] as const))(
    '%s documents every status an endpoint answers with a schema and an example',
    (_, provider) => {
      for (const endpoint of provider.endpoints) {
        for (const [status, spec] of Object.entries(endpoint.responses)) {
          expect(
            spec.schema.safeParse(spec.example).success,
            `${endpoint.operationId} ${status} example fits its schema`,
          ).toBe(true);
        }
      }
    },
  );
});
