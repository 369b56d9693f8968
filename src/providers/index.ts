/**
 * Every registered provider's full definition (simulator half included), loaded from the registry
 * (`registry.ts`) once at import. The sending core imports `registry.ts` instead, so it never loads this.
 * @module
 */
import type { ProviderDefinition } from './define.js';
import { type RegistryEntry, registry } from './registry.js';

export { type ProviderId, registry } from './registry.js';

/**
 * Loads the full definitions of registry entries, checking each line names its own slice.
 * @example
 * const all = await loadProviders(registry);
 */
export async function loadProviders(entries: readonly RegistryEntry[]): Promise<readonly ProviderDefinition[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const definition = await entry.definition();
      if (definition.id !== entry.id)
        throw new Error(`registry line "${entry.id}" loads the definition of "${definition.id}"`);
      if (definition.adapter !== entry.adapter)
        throw new Error(`registry line "${entry.id}" names another adapter than its definition`);
      return definition;
    }),
  );
}

export const providers: readonly ProviderDefinition[] = await loadProviders(registry);
