/**
 * `/__admin/callbacks`: every callback attempt, and the webhook targets of providers whose callback URL
 * is a setting rather than part of the send (Splashify, Messcat, On-Prem).
 * @module
 */
import { z } from 'zod';
import type { ProviderDefinition } from '../providers/define.js';
import { targetsSchema } from './admin-schemas.js';
import { adminRoute, limitParam, providerParam } from './admin-table.js';
import type { CallbackFilter } from './dispatcher.js';

const TARGETS_HINT =
  'send {"<provider>": "http(s)://…"}, or null to remove one, ' +
  'e.g. {"splashify":"http://127.0.0.1:3000/hooks/splashify"}';
const NOT_A_URL = 'the target must be an http(s) URL, or null to remove it';

/** Why a provider's webhook target cannot be set, or undefined when it can. */
function unsettable(id: string, providers: readonly ProviderDefinition[]): string | undefined {
  const definition = providers.find((p) => p.id === id);
  if (!definition) {
    const settable = providers.filter((p) => p.callbacks && 'setting' in p.callbacks.target).map((p) => p.id);
    return `unknown provider "${id}"; webhook targets can be set for: ${settable.join(', ')}`;
  }
  if (!definition.callbacks) return `${id} documents no delivery callbacks, so it sends none`;
  if (!('setting' in definition.callbacks.target)) {
    return `${id} sends its callbacks to the URL each send carries (${definition.callbacks.target.requestField})`;
  }
  return undefined;
}

/** Provider ids whose target can be set, each to an http(s) URL or null; checked entry by entry, key first. */
const targetsPatch = (providers: readonly ProviderDefinition[]) =>
  z.record(
    z.string().superRefine((id, ctx) => {
      const message = unsettable(id, providers);
      if (message) ctx.addIssue({ code: 'custom', message });
    }),
    z
      .string()
      .refine((url) => /^https?:\/\/[^\s/]/i.test(url) && URL.canParse(url), NOT_A_URL)
      .nullable(),
  );

/** The first refused entry, as the problem detail. */
function targetsDetail(error: z.ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? TARGETS_HINT;
  return issue.path.length > 0 ? `${String(issue.path[0])}: ${NOT_A_URL}` : TARGETS_HINT;
}

export const callbackRoutes = [
  adminRoute({
    method: 'get',
    path: '/__admin/callbacks',
    summary: 'Callback delivery attempts, newest first',
    query: z.object({
      provider: providerParam,
      message: z.string().optional().describe("Only this message's attempts: its inbox id or the provider's id"),
      limit: limitParam,
    }),
    errors: [400],
    replies: {
      200: z.looseObject({
        total: z.number(),
        pending: z.number(),
        later: z.number(),
        inFlight: z.number(),
        dropped: z.number(),
        attempts: z.record(z.string(), z.number()),
        callbacks: z.array(z.looseObject({ url: z.string(), attempt: z.number() })),
      }),
    },
    handler: ({ c, query: q, session, deps: { callbacks } }) => {
      const filter: CallbackFilter = {
        ...(q.provider && { provider: q.provider }),
        ...(q.message && { message: q.message }),
        ...(session !== undefined && { session }),
      };
      const { dropped, attempts, inFlight, later } = callbacks.stats();
      // `total` counts the matches (the history is bounded, so listing them all is cheap).
      const total = callbacks.list(filter).length;
      const { stored, evicted, pending } = callbacks;
      const list = callbacks.list(filter, q.limit);
      return c.json({ total, stored, evicted, pending, later, inFlight, dropped, attempts, callbacks: list });
    },
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/callbacks/targets',
    summary: 'Webhook URLs set for providers whose URL is a setting',
    replies: { 200: targetsSchema },
    handler: ({ c, deps }) => c.json(deps.callbacks.targets()),
  }),
  adminRoute({
    method: 'put',
    path: '/__admin/callbacks/targets',
    summary: 'Set (or with null remove) webhook URLs per provider',
    body: {
      schema: targetsPatch,
      invalid: 'Invalid targets',
      detail: targetsDetail,
      example: { splashify: 'http://127.0.0.1:3000/hooks/splashify', messcat: null },
    },
    replies: { 200: targetsSchema },
    handler: ({ c, body, deps }) => c.json(deps.callbacks.setTargets(body)),
  }),
];
