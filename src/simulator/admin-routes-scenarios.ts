/**
 * `/__admin` routes of the scenario controls: armed rules, chaos and the simulated clock.
 * @module
 */
import { z } from 'zod';
import { parseDuration } from '../util/duration.js';
import { problem } from '../util/problem.js';
import { MAX_RULES } from './admin-limits.js';
import { armedRuleSchema, chaosStateSchema, clockSchema } from './admin-schemas.js';
import { adminRoute } from './admin-table.js';
import { chaosSchemaFor } from './catalogue.js';
import type { Clock } from './clock.js';
import { RESOLVERS } from './resolvers.js';
import { ruleSchema } from './rule-schema.js';

const ids = (providers: readonly { id: string }[]) => providers.map((p) => p.id);

function clockView(clock: Clock) {
  return { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset() };
}

export const scenarioRoutes = [
  adminRoute({
    method: 'get',
    path: '/__admin/scenarios',
    summary: 'Catalogue, magic numbers, armed rules and chaos',
    replies: {
      200: z.looseObject({
        precedence: z.array(z.string()),
        outcomes: z.array(z.looseObject({ name: z.string() })),
        rules: z.array(armedRuleSchema),
      }),
    },
    handler: ({ c, session, deps: { scenarios } }) => {
      const { outcomes } = scenarios.catalogue;
      return c.json({
        precedence: RESOLVERS.map((r) => r.name),
        outcomes: Object.entries(outcomes).map(([name, entry]) => ({
          name,
          ...entry,
          numbers: entry.numbers.map((r) => ({ from: `+${r.from}`, to: `+${r.to}`, example: `+${r.from}` })),
        })),
        rules: scenarios.rules(session),
        chaos: scenarios.chaos(),
      });
    },
  }),
  adminRoute({
    method: 'post',
    path: '/__admin/scenarios',
    summary: 'Arm a rule',
    body: {
      schema: (providers) => ruleSchema(ids(providers)),
      invalid: 'Invalid rule',
      example: { provider: 'verihubs', outcomes: ['rate_limited'], times: 1 },
    },
    replies: { 201: armedRuleSchema },
    errors: [409],
    handler: ({ c, body, session, deps: { scenarios } }) => {
      // assumption: 409 Conflict, as for any request the server's current state refuses.
      if (scenarios.rules().length >= MAX_RULES) {
        const detail =
          `${MAX_RULES} rules are armed, the most the simulator holds; ` +
          'disarm some (DELETE /__admin/scenarios) first';
        return problem(409, 'Too many rules', detail);
      }
      return c.json(scenarios.arm(body, session ?? null), 201);
    },
  }),
  adminRoute({
    method: 'delete',
    path: '/__admin/scenarios',
    summary: 'Disarm every rule (of the session)',
    replies: { 204: 'empty' },
    handler: ({ c, session, deps }) => {
      deps.scenarios.clearRules(session);
      return c.body(null, 204);
    },
  }),
  adminRoute({
    method: 'delete',
    path: '/__admin/scenarios/:id',
    summary: 'Disarm one rule',
    replies: { 204: 'empty' },
    errors: [404],
    handler: ({ c, session, deps }) => {
      const id = c.req.param('id')!;
      if (deps.scenarios.disarm(id, session)) return c.body(null, 204);
      return problem(404, 'No such rule', `no armed rule ${id} in this session`);
    },
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/chaos',
    summary: 'Chaos settings',
    replies: { 200: chaosStateSchema },
    handler: ({ c, deps }) => c.json(deps.scenarios.chaos()),
  }),
  adminRoute({
    method: 'put',
    path: '/__admin/chaos',
    summary: 'Switch chaos on or off',
    body: {
      schema: (providers) => chaosSchemaFor(ids(providers)),
      invalid: 'Invalid chaos settings',
      example: { enabled: true, seed: 7, probabilities: { provider_error: 0.05 } },
    },
    replies: { 200: chaosStateSchema },
    handler: ({ c, body, deps }) => c.json(deps.scenarios.setChaos(body)),
  }),
  adminRoute({
    method: 'delete',
    path: '/__admin/chaos',
    summary: 'Switch chaos off and forget its settings',
    replies: { 200: chaosStateSchema },
    handler: ({ c, deps }) => c.json(deps.scenarios.setChaos({ enabled: false, probabilities: {} })),
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/clock',
    summary: 'Simulated time',
    replies: { 200: clockSchema },
    handler: ({ c, deps }) => c.json(clockView(deps.clock)),
  }),
  adminRoute({
    method: 'post',
    path: '/__admin/clock',
    summary: 'Move simulated time forward',
    body: {
      schema: () =>
        z.looseObject({
          advance: z.union([z.string(), z.number()]).transform((value, ctx) => {
            const ms = parseDuration(value);
            if (ms !== undefined) return ms;
            ctx.addIssue({ code: 'custom', message: 'not a duration' });
            return z.NEVER;
          }),
        }),
      invalid: 'Invalid clock change',
      detail: () =>
        'send {"advance": "<duration>"}, e.g. "10m", "30s", "1h30m", "500ms" or a number of milliseconds; ' +
        'the clock only moves forward',
      example: { advance: '10m' },
    },
    replies: { 200: clockSchema },
    handler: ({ c, body, deps }) => {
      deps.clock.advance(body.advance);
      return c.json(clockView(deps.clock));
    },
  }),
];
