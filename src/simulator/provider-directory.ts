/**
 * How the providers present themselves to people: `GET /__admin/providers` and the start banners. Each shows
 * where it lives and the credentials that work there.
 * @module
 */
import type { ProviderDefinition } from '../providers/define.js';
import { type SimulatorConfig, settingsFor } from './config.js';

/**
 * What `/__admin/providers` and the start banners show: where each provider lives and the credentials that
 * work. A provider whose credentials are pinned in the config refuses the demo ones, so it shows its pinned
 * credentials instead, secrets masked.
 */
export function describeProviders(providers: readonly ProviderDefinition[], config: SimulatorConfig = {}) {
  return providers.map((p) => {
    const pinned = settingsFor(config, p.id).credentials;
    return {
      id: p.id,
      name: p.name,
      docs: p.docs,
      basePath: `/${p.id}`,
      endpoints: p.endpoints.map((e) => ({ operationId: e.operationId, method: e.method, path: e.path })),
      ...(pinned?.length ? { pinnedCredentials: pinned.map(maskCredential) } : { demoCredentials: p.demoCredentials }),
    };
  });
}

const SECRET_FIELD = /key|token|password|secret/i;

/** A pinned credential with its secret fields cut to their first four characters, as the journal masks them. */
function maskCredential(credential: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(credential as Record<string, unknown>)) {
    out[name] = SECRET_FIELD.test(name) && typeof value === 'string' ? `${value.slice(0, 4)}…` : value;
  }
  return out;
}
