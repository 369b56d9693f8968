/**
 * The shapes the `/__admin` API answers with: the admin route table declares them per route, the admin
 * contract is generated from them, and a test holds real replies to them.
 * @module
 */
import { z } from 'zod';
import { OUTCOMES } from '../providers/outcomes.js';

/** RFC 9457 problem details, as every admin error is answered. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
});

export const messageSchema = z.looseObject({
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

export const journalEntrySchema = z.looseObject({
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

/** An armed rule. */
export const armedRuleSchema = z.looseObject({
  id: z.string(),
  provider: z.string().optional(),
  to: z.string().optional(),
  outcomes: z.array(z.enum(OUTCOMES)),
  times: z.number().int().optional(),
  session: z.string().nullable(),
  used: z.number().int(),
  createdAt: z.string(),
});

export const chaosStateSchema = z.looseObject({ enabled: z.boolean() });

export const clockSchema = z.object({ now: z.string(), offsetMs: z.number() });

/** `total`: entries matching the filter; `stored`: entries held; `evicted`: dropped past capacity since the reset. */
export const totalsFields = { total: z.number(), stored: z.number(), evicted: z.number() };

export const targetsSchema = z.record(z.string(), z.string());
