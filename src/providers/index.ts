/**
 * The registry: one line per provider. Adding a provider here adds its routes, contract and test rows.
 * @module
 */
import type { ProviderDefinition } from './define.js';
import { splashify } from './splashify/index.js';

export const providers: readonly ProviderDefinition[] = [splashify];

export type ProviderId = 'botcake' | 'messcat' | 'whatsapp-onprem' | 'verihubs' | 'splashify';
