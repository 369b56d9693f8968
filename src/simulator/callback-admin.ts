/**
 * `/__admin/callbacks`: every callback attempt, and the webhook targets of providers whose callback URL
 * is a setting rather than part of the send (Splashify, Messcat, On-Prem).
 * @module
 */
import { Hono } from 'hono';
import type { ProviderDefinition } from '../providers/define.js';
import { problem } from '../util/problem.js';
import { readAdminJson } from './admin-limits.js';
import type { CallbackFilter, Dispatcher } from './dispatcher.js';
import { SESSION_HEADER } from './pipeline.js';

/**
 * Creates the callback routes, to be mounted at `/__admin/callbacks`.
 * @example
 * app.route('/__admin/callbacks', createCallbackAdmin({ callbacks, providers }));
 */
export function createCallbackAdmin({
  callbacks,
  providers,
}: {
  callbacks: Dispatcher;
  providers: readonly ProviderDefinition[];
}) {
  const admin = new Hono();

  admin.get('/', (c) => {
    const q = c.req.query();
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
      return problem(400, 'Invalid query', 'limit must be a positive integer');
    const session = c.req.header(SESSION_HEADER);
    const filter: CallbackFilter = {
      ...(q.provider && { provider: q.provider }),
      ...(q.message && { message: q.message }),
      ...(session !== undefined && { session }),
    };
    const { dropped, attempts, inFlight, later } = callbacks.stats();
    // `total` counts the matches (the history is bounded, so listing them all is cheap).
    const total = callbacks.list(filter).length;
    const { stored, evicted, pending } = callbacks;
    return c.json({
      total,
      stored,
      evicted,
      pending,
      later,
      inFlight,
      dropped,
      attempts,
      callbacks: callbacks.list(filter, limit),
    });
  });

  admin.get('/targets', (c) => c.json(callbacks.targets()));

  admin.put('/targets', async (c) => {
    const read = await readAdminJson(c.req.raw);
    if (!read.ok) return read.error;
    const body = read.value;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return problem(
        400,
        'Invalid targets',
        'send {"<provider>": "http(s)://…"}, or null to remove one, e.g. {"splashify":"http://127.0.0.1:3000/hooks/splashify"}',
      );
    }
    const patch: Record<string, string | null> = {};
    for (const [id, url] of Object.entries(body)) {
      const definition = providers.find((p) => p.id === id);
      const settable = providers.filter((p) => p.callbacks && 'setting' in p.callbacks.target).map((p) => p.id);
      if (!definition)
        return problem(
          400,
          'Invalid targets',
          `unknown provider "${id}"; webhook targets can be set for: ${settable.join(', ')}`,
        );
      if (!definition.callbacks)
        return problem(400, 'Invalid targets', `${id} documents no delivery callbacks, so it sends none`);
      if (!('setting' in definition.callbacks.target)) {
        return problem(
          400,
          'Invalid targets',
          `${id} sends its callbacks to the URL each send carries (${definition.callbacks.target.requestField})`,
        );
      }
      if (url !== null && !(typeof url === 'string' && /^https?:\/\/[^\s/]/i.test(url) && URL.canParse(url))) {
        return problem(400, 'Invalid targets', `${id}: the target must be an http(s) URL, or null to remove it`);
      }
      patch[id] = url;
    }
    return c.json(callbacks.setTargets(patch));
  });

  return admin;
}
