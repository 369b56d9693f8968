/**
 * The registry: one line per provider. A line names the slice's two halves: its adapter (all the sending core
 * loads) and its full definition, loaded lazily so `waotp serve` never loads simulated replies or id generators.
 * Adding a line adds the provider's routes, contract, test rows, `waotp dev` wiring and its type in `ProviderId`.
 * @module
 */
import type { AdapterDefinition } from './adapter.js';
import { botcakeAdapter } from './botcake/adapter.js';
import type { ProviderDefinition } from './define.js';
import { messcatAdapter } from './messcat/adapter.js';
import { splashifyAdapter } from './splashify/adapter.js';
import { verihubsAdapter } from './verihubs/adapter.js';
import { whatsappCloudAdapter } from './whatsapp-cloud/adapter.js';
import { whatsappOnpremAdapter } from './whatsapp-onprem/adapter.js';

/** One registry line: the id (= folder), the adapter, and the loader of the full definition. */
export interface RegistryEntry<Id extends string = string> {
  id: Id;
  adapter: AdapterDefinition;
  definition(): Promise<ProviderDefinition>;
}

/** Keeps the id's literal type, so {@link ProviderId} is derived from the lines below. */
const entry = <const Id extends string>(
  id: Id,
  adapter: AdapterDefinition,
  definition: () => Promise<ProviderDefinition>,
): RegistryEntry<Id> => ({ id, adapter, definition });

export const registry = [
  entry('botcake', botcakeAdapter, () => import('./botcake/index.js').then((m) => m.botcake)),
  entry('messcat', messcatAdapter, () => import('./messcat/index.js').then((m) => m.messcat)),
  entry('splashify', splashifyAdapter, () => import('./splashify/index.js').then((m) => m.splashify)),
  entry('verihubs', verihubsAdapter, () => import('./verihubs/index.js').then((m) => m.verihubs)),
  entry('whatsapp-onprem', whatsappOnpremAdapter, () =>
    import('./whatsapp-onprem/index.js').then((m) => m.whatsappOnprem),
  ),
  entry('whatsapp-cloud', whatsappCloudAdapter, () => import('./whatsapp-cloud/index.js').then((m) => m.whatsappCloud)),
] as const;

export type ProviderId = (typeof registry)[number]['id'];
