/**
 * What `waotp sim` and `waotp dev` print at start: where the inbox, the admin API and every provider live,
 * and the credentials that will work there.
 * @module
 */
import type { ProviderDefinition } from '../providers/define.js';
import type { SimulatorConfig } from '../simulator/config.js';
import { describeProviders } from '../simulator/provider-directory.js';

const show = (values: Record<string, unknown>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join('  ');

/**
 * The simulator's part of a banner.
 * @example
 * console.log(simulatorBanner('http://127.0.0.1:4010', providers, config).join('\n'));
 */
export function simulatorBanner(
  url: string,
  providers: readonly ProviderDefinition[],
  config: SimulatorConfig,
): string[] {
  const lines = [
    `  Inbox: ${url}/`,
    `  admin API: ${url}/__admin  (health: ${url}/__admin/health)`,
    '',
    '  providers (documented paths at the root, or under the base path):',
  ];
  for (const p of describeProviders(providers, config)) {
    lines.push(`  ${p.name} (${url}${p.basePath})`);
    for (const e of p.endpoints) lines.push(`      ${e.method.padEnd(5)} ${e.path}`);
    if ('demoCredentials' in p) lines.push(`      demo credentials: ${show(p.demoCredentials)}`);
    else
      for (const credential of p.pinnedCredentials)
        lines.push(`      pinned credentials (from the config): ${show(credential)}`);
  }
  return lines;
}
