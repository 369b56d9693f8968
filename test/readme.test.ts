import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { providers } from '../src/providers/index.js';
import { parseConfig } from '../src/simulator/config.js';
import { outcomeTable } from '../src/simulator/outcome-table.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the provider x outcome table the code renders (run `npm run docs` to update)', () => {
    const block = /<!-- outcome-table:start -->\n([\s\S]*?)\n<!-- outcome-table:end -->/.exec(readme)?.[1];
    expect(block).toBe(outcomeTable(providers));
  });

  it.each(providers.map((p) => p.id))('has a section for %s with a curl example and its assumptions', (id) => {
    const section = readme.split(/^### /m).find((s) => s.includes(`(\`${id}\`)`));
    expect(section, `### … (\`${id}\`)`).toBeDefined();
    expect(section).toContain('curl');
    expect(section).toMatch(/assumption/i);
  });

  it('shows simulator config files the config schema accepts', () => {
    const configs = [...readme.matchAll(/^```yaml\n((?:seed:|# waotp\.yaml)[\s\S]*?)^```$/gm)].map((m) => m[1]!);
    expect(configs.length).toBeGreaterThanOrEqual(3);
    for (const text of configs) expect(() => parseConfig(parseYaml(text), providers, 'README')).not.toThrow();
  });

  it('gives exactly the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
