/**
 * The registry: one line per provider. Adding a provider here adds its routes, contract and test rows.
 * @module
 */
import type { ProviderDefinition } from './define.js';
import { botcake } from './botcake/index.js';
import { messcat } from './messcat/index.js';
import { splashify } from './splashify/index.js';
import { verihubs } from './verihubs/index.js';
import { whatsappOnprem } from './whatsapp-onprem/index.js';

export const providers: readonly ProviderDefinition[] = [botcake, messcat, splashify, verihubs, whatsappOnprem];

export type ProviderId = 'botcake' | 'messcat' | 'whatsapp-onprem' | 'verihubs' | 'splashify';
