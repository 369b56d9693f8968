import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type CurlExample, curlExamples, missingFromReply, tsExamples } from './examples.js';
import { MY_APP, MY_VERIHUBS_CLIENT } from './fixtures.js';
import { createUserProject } from './project.js';

const run = promisify(execFile);
const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
const examples = tsExamples(readme);
const blocks = curlExamples(readme);

let project: string;
beforeAll(() => {
  project = createUserProject(['vitest', 'typescript', '@types/node']);
}, 240_000);
// The file's afterAll runs after every describe block's, so `waotp dev` is stopped by then.
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('README TypeScript examples, in a project that installed the packed tarball', () => {
  it('each can run, or says in the README why not', () => {
    for (const example of examples) {
      expect(
        example.mode === 'run' || example.why,
        `README.md:${example.line}: a ts example that neither runs nor says why`,
      ).toBeTruthy();
    }
    expect(examples.filter((e) => e.mode === 'run').length).toBeGreaterThanOrEqual(2);
  });

  it('type-check against the installed package', async () => {
    mkdirSync(join(project, 'typecheck'), { recursive: true });
    const files = examples
      .filter((e) => e.mode !== 'skip')
      .map((e) => {
        const file = `typecheck/readme-${e.line}.ts`;
        writeFileSync(join(project, file), `export {};\n${e.code}`);
        return file;
      });
    writeFileSync(join(project, 'typecheck/my-app.ts'), MY_APP);
    mkdirSync(join(project, 'src/otp'), { recursive: true });
    writeFileSync(join(project, 'src/otp/verihubs.ts'), MY_VERIHUBS_CLIENT);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: [...files, 'typecheck/my-app.ts'],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    // The examples import "your code" relative to their own file; the type-check copies sit one level down.
    const result = await run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
    }).catch((e) => e);
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`.trim()).toBe('');
  }, 120_000);

  it('that are vitest files pass as printed', async () => {
    mkdirSync(join(project, 'test'), { recursive: true });
    writeFileSync(join(project, 'test/my-app.ts'), MY_APP);
    mkdirSync(join(project, 'src/otp'), { recursive: true });
    writeFileSync(join(project, 'src/otp/verihubs.ts'), MY_VERIHUBS_CLIENT);
    const files = examples
      .filter((e) => e.mode === 'run')
      .map((e) => {
        writeFileSync(join(project, 'test', e.file!), e.code);
        return `test/${e.file}`;
      });
    const env = { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
    const result = await run(
      process.execPath,
      [join(project, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=verbose', ...files],
      { cwd: project, env },
    ).catch((e) => e);
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    expect(result.code ?? 0, output).toBe(0);
    expect(output, output).toMatch(/Tests\s+\d+ passed/);
    expect(output, output).not.toMatch(/\d+ failed/);
  }, 180_000);
});

describe('README install instructions', () => {
  it('`npx waotp` runs the bin of a project that did `npm i -D waotp`', async () => {
    const { stdout } = await run('npx', ['--offline', 'waotp', '--version'], { cwd: project });
    expect(stdout.trim()).toBe(
      JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version,
    );
  });

  it('`npx waotp` runs the bin of a clone', async () => {
    const { stdout } = await run('npx', ['--offline', 'waotp', 'help', 'sim'], {
      cwd: join(import.meta.dirname, '../..'),
    });
    expect(stdout).toContain('Usage: waotp sim');
  });

  it('gives a GitHub Actions job: sim in the background, wait for health, test, upload the conformance JUnit', () => {
    const block = /^```yaml\n(# \.github\/workflows\/[\s\S]*?)^```$/m.exec(readme)?.[1];
    expect(block).toBeDefined();
    const steps = (
      parseYaml(block!) as {
        jobs: Record<string, { steps: { run?: string; uses?: string; with?: { path?: string } }[] }>;
      }
    ).jobs.test!.steps;
    const runs = steps.map((step) => step.run ?? '');
    const sim = runs.findIndex((r) => /npx waotp sim\b.*&\s*$/.test(r));
    const health = runs.findIndex((r) => r.includes('/__admin/health'));
    const test = runs.findIndex((r) => r.trim() === 'npm test');
    expect(sim).toBeGreaterThan(-1);
    expect(health).toBeGreaterThan(sim);
    expect(test).toBeGreaterThan(health);
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
    // The path the conformance test writes its JUnit report to.
    const written = /'(reports\/[\w.]+\.junit\.xml)'/.exec(
      readFileSync(join(import.meta.dirname, '../contracts/conformance.test.ts'), 'utf8'),
    )?.[1];
    expect(upload?.with?.path).toContain(written);
  });
});

describe('README curl examples, against a live `waotp dev` from the installed package', () => {
  let dev: ChildProcess;
  let urls: { sim: string; core: string };
  beforeAll(async () => {
    dev = spawn(
      process.execPath,
      [
        join(project, 'node_modules/waotp/bin/waotp.js'),
        'dev',
        '--port',
        '0',
        '--core-port',
        '0',
        '--log-level',
        'silent',
      ],
      { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    urls = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`waotp dev did not start:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk;
        const sim = /simulator listening on (http:\/\/\S+)/.exec(output)?.[1];
        const core = /OTP service listening on (http:\/\/\S+)/.exec(output)?.[1];
        if (sim && core) {
          clearTimeout(timer);
          resolve({ sim, core });
        }
      };
      dev.stdout!.on('data', onData);
      dev.stderr!.on('data', onData);
    });
  }, 60_000);
  afterAll(() => {
    if (dev?.exitCode === null) dev.kill('SIGTERM');
  });

  /** Runs one README command as printed, on the live ports; returns the reply body and status. */
  const curl = async (example: CurlExample, code: string | undefined) => {
    let command = example.command
      .replaceAll('127.0.0.1:4010', new URL(urls.sim).host)
      .replaceAll('127.0.0.1:4020', new URL(urls.core).host);
    // The README says: check with the code you read. Codes are random, so the one read before goes in.
    if (code && command.includes('/v1/verifications/check'))
      command = command.replace(/"code":"\d+"/, `"code":"${code}"`);
    command = command.replace(/^curl /, `curl -w '\\n%{http_code}' `);
    const { stdout } = await run('sh', ['-c', command]);
    const cut = stdout.lastIndexOf('\n');
    return { body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)) };
  };

  it('are found in the README', () => {
    expect(blocks.flat().length).toBeGreaterThanOrEqual(15);
  });

  it.each(blocks.map((block) => [block[0]!.line, block] as const))(
    'block at README.md:%i answers as documented',
    async (_line, block) => {
      // Every block starts from a fresh simulator, as a reader trying one section would.
      await fetch(`${urls.sim}/__admin/reset`, { method: 'POST' });
      let code: string | undefined;
      for (const example of block) {
        const reply = await curl(example, code);
        const where = `README.md:${example.line}: ${example.command}\n-> ${reply.status} ${reply.body}`;
        if (example.status !== undefined) expect(reply.status, where).toBe(example.status);
        else {
          expect(reply.status, where).toBeGreaterThanOrEqual(200);
          expect(reply.status, where).toBeLessThan(300);
        }
        if (example.expected) expect(missingFromReply(example.expected, reply.body), where).toEqual([]);
        code = /"code":"(\d+)"/.exec(reply.body)?.[1] ?? code;
      }
    },
  );
});
