/**
 * The `/__admin` API's own OpenAPI 3.1 contract. Request schemas are the ones the admin routes parse
 * with; reply schemas describe what they return, and a test holds real replies to them.
 * @module
 */
import { type OpenAPIObject, OpenApiBuilder, type OperationObject } from 'openapi3-ts/oas31';
import { z } from 'zod';
import type { ProviderDefinition } from '../providers/define.js';
import { OUTCOMES } from '../providers/outcomes.js';
import { chaosSchema } from '../simulator/catalogue.js';
import { writtenRuleSchema } from '../simulator/rule-schema.js';
import { jsonSchema } from './build.js';

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
});

const messageSchema = z.looseObject({
  id: z.string(),
  provider: z.string(),
  to: z.string(),
  code: z.string(),
  text: z.string(),
  template: z.string().optional(),
  language: z.string().optional(),
  providerMessageId: z.string().optional(),
  session: z.string().nullable(),
  outcome: z.enum(OUTCOMES),
  status: z.enum(['accepted', 'sent', 'delivered', 'read', 'failed']),
  createdAt: z.string(),
  requestId: z.string(),
  failure: z
    .object({ code: z.union([z.number(), z.string()]), title: z.string(), details: z.string().optional() })
    .optional(),
});

const journalEntrySchema = z.looseObject({
  id: z.string(),
  time: z.string(),
  session: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  provider: z.string(),
  operationId: z.string(),
  status: z.number().int(),
  outcome: z.enum(OUTCOMES),
  reason: z.object({ by: z.string(), detail: z.string() }),
  to: z.string().optional(),
  durationMs: z.number(),
  request: z.object({
    headers: z.record(z.string(), z.string()),
    query: z.record(z.string(), z.string()),
    body: z.unknown(),
  }),
  reply: z.object({ status: z.number().int(), headers: z.record(z.string(), z.string()), body: z.unknown() }),
});

const ruleSchema = z.looseObject({
  id: z.string(),
  provider: z.string().optional(),
  to: z.string().optional(),
  outcomes: z.array(z.enum(OUTCOMES)),
  times: z.number().int().optional(),
  session: z.string().nullable(),
  used: z.number().int(),
  createdAt: z.string(),
});

const clockSchema = z.object({ now: z.string(), offsetMs: z.number() });

type Route = {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: string[];
  reply?: z.ZodType;
  status?: number;
  errors?: number[];
  stream?: boolean;
};

const ROUTES: Route[] = [
  {
    method: 'get',
    path: '/__admin/health',
    summary: 'Ready check',
    reply: z.object({
      status: z.literal('ok'),
      callbacks: z
        .object({
          pending: z.number(),
          later: z.number(),
          inFlight: z.number(),
          dropped: z.number(),
          sockets: z.number(),
        })
        .optional(),
    }),
  },
  {
    method: 'post',
    path: '/__admin/reset',
    summary: 'Back to the start state (only the session with x-waotp-session)',
    status: 204,
  },
  {
    method: 'get',
    path: '/__admin/providers',
    summary: 'Each provider: paths and demo credentials',
    reply: z.array(z.looseObject({ id: z.string(), basePath: z.string() })),
  },
  {
    method: 'get',
    path: '/__admin/messages',
    summary: 'Captured messages, newest first',
    query: ['to', 'provider', 'limit'],
    reply: z.object({ total: z.number(), stored: z.number(), evicted: z.number(), messages: z.array(messageSchema) }),
    errors: [400],
  },
  {
    method: 'get',
    path: '/__admin/messages/latest',
    summary: 'The newest matching message; wait=<ms> long-polls',
    query: ['to', 'provider', 'wait'],
    reply: messageSchema,
    errors: [400, 404],
  },
  { method: 'delete', path: '/__admin/messages', summary: 'Empty the inbox', status: 204 },
  {
    method: 'get',
    path: '/__admin/requests',
    summary: 'The request journal, newest first',
    query: ['provider', 'outcome', 'to', 'limit'],
    reply: z.object({
      total: z.number(),
      stored: z.number(),
      evicted: z.number(),
      requests: z.array(journalEntrySchema),
    }),
    errors: [400],
  },
  {
    method: 'get',
    path: '/__admin/requests/unmatched',
    summary: 'Requests that matched no route, with the nearest route',
    reply: z.object({ requests: z.array(z.looseObject({ method: z.string(), path: z.string() })) }),
  },
  {
    method: 'get',
    path: '/__admin/requests/{id}',
    summary: 'One journal entry',
    reply: journalEntrySchema,
    errors: [404],
  },
  {
    method: 'get',
    path: '/__admin/scenarios',
    summary: 'Catalogue, magic numbers, armed rules and chaos',
    reply: z.looseObject({
      precedence: z.array(z.string()),
      outcomes: z.array(z.looseObject({ name: z.string() })),
      rules: z.array(ruleSchema),
    }),
  },
  {
    method: 'post',
    path: '/__admin/scenarios',
    summary: 'Arm a rule',
    body: writtenRuleSchema,
    reply: ruleSchema,
    status: 201,
    errors: [400, 409, 413],
  },
  { method: 'delete', path: '/__admin/scenarios', summary: 'Disarm every rule (of the session)', status: 204 },
  { method: 'delete', path: '/__admin/scenarios/{id}', summary: 'Disarm one rule', status: 204, errors: [404] },
  { method: 'get', path: '/__admin/chaos', summary: 'Chaos settings', reply: z.looseObject({ enabled: z.boolean() }) },
  {
    method: 'put',
    path: '/__admin/chaos',
    summary: 'Switch chaos on or off',
    body: chaosSchema,
    reply: z.looseObject({ enabled: z.boolean() }),
    errors: [400],
  },
  {
    method: 'delete',
    path: '/__admin/chaos',
    summary: 'Switch chaos off and forget its settings',
    reply: z.looseObject({ enabled: z.boolean() }),
  },
  { method: 'get', path: '/__admin/clock', summary: 'Simulated time', reply: clockSchema },
  {
    method: 'post',
    path: '/__admin/clock',
    summary: 'Move simulated time forward',
    body: z.object({ advance: z.union([z.string(), z.number()]) }),
    reply: clockSchema,
    errors: [400],
  },
  {
    method: 'get',
    path: '/__admin/contracts/{id}',
    summary: "A provider's OpenAPI contract (or admin)",
    reply: z.looseObject({ openapi: z.string() }),
    errors: [404],
  },
  {
    method: 'get',
    path: '/__admin/callbacks',
    summary: 'Callback delivery attempts, newest first',
    query: ['provider', 'message', 'limit'],
    reply: z.looseObject({
      total: z.number(),
      pending: z.number(),
      later: z.number(),
      inFlight: z.number(),
      dropped: z.number(),
      attempts: z.record(z.string(), z.number()),
      callbacks: z.array(z.looseObject({ url: z.string(), attempt: z.number() })),
    }),
    errors: [400],
  },
  {
    method: 'get',
    path: '/__admin/callbacks/targets',
    summary: 'Webhook URLs set for providers whose URL is a setting',
    reply: z.record(z.string(), z.string()),
  },
  {
    method: 'put',
    path: '/__admin/callbacks/targets',
    summary: 'Set (or with null remove) webhook URLs per provider',
    body: z.record(z.string(), z.string().nullable()),
    reply: z.record(z.string(), z.string()),
    errors: [400],
  },
  {
    method: 'get',
    path: '/__admin/events',
    summary: 'Server-Sent Events: message (added/updated) and cleared; ?session= scopes it',
    query: ['session'],
    stream: true,
  },
];

/**
 * Builds the admin API contract.
 * @example
 * const contract = buildAdminContract(providers);
 */
export function buildAdminContract(providers: readonly ProviderDefinition[]): OpenAPIObject {
  const builder = OpenApiBuilder.create({
    openapi: '3.1.0',
    info: {
      title: 'waotp admin API',
      version: '1.0.0',
      description: `Inbox, journal, scenarios, chaos and clock of the waotp simulator. Providers: ${providers.map((p) => p.id).join(', ')}.`,
    },
    servers: [{ url: 'http://127.0.0.1:4010' }],
    paths: {},
    components: {
      schemas: { Problem: jsonSchema(problemSchema) },
      parameters: {
        session: {
          name: 'x-waotp-session',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'Scopes rules, journal and inbox to one session',
        },
      },
    },
  });
  for (const route of ROUTES) {
    const status = String(route.status ?? 200);
    const op: OperationObject = {
      summary: route.summary,
      parameters: [
        { $ref: '#/components/parameters/session' },
        ...[...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
          name: name!,
          in: 'path' as const,
          required: true,
          schema: { type: 'string' as const },
        })),
        ...(route.query ?? []).map((name) => ({
          name,
          in: 'query' as const,
          required: false,
          schema: { type: 'string' as const },
        })),
      ],
      responses: {
        [status]: route.stream
          ? { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }
          : route.reply
            ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(route.reply) } } }
            : { description: 'Done' },
        ...Object.fromEntries(
          (route.errors ?? []).map((code) => [
            String(code),
            {
              description: 'Problem',
              content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
            },
          ]),
        ),
      },
    };
    if (route.body)
      op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } };
    const item = builder.rootDoc.paths?.[route.path] ?? {};
    item[route.method] = op;
    builder.addPath(route.path, item);
  }
  return builder.getSpec();
}
