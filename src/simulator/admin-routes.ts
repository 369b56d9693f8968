/**
 * The whole `/__admin` API as one table: the simulator mounts it (admin-table.ts) and the admin contract is
 * generated from it (src/contracts/admin.ts). Each area keeps its routes in a module of its own.
 * @module
 */
import { z } from 'zod';
import { callbackRoutes } from './admin-routes-callbacks.js';
import { inboxRoutes } from './admin-routes-inbox.js';
import { journalRoutes } from './admin-routes-journal.js';
import { scenarioRoutes } from './admin-routes-scenarios.js';
import { type AdminRoute, adminRoute } from './admin-table.js';
import { contractRoutes } from './contract-routes.js';

const serverRoutes = [
  adminRoute({
    method: 'get',
    path: '/__admin/health',
    summary: 'Ready check',
    replies: {
      200: z.object({
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
    handler: ({ c, deps }) => c.json({ status: 'ok', ...deps.health() }),
  }),
  adminRoute({
    method: 'post',
    path: '/__admin/reset',
    summary: 'Back to the start state (only the session with x-waotp-session)',
    replies: { 204: 'empty' },
    handler: ({ c, session, deps }) => {
      deps.reset(session);
      return c.body(null, 204);
    },
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/providers',
    summary: 'Each provider: paths and demo credentials',
    replies: { 200: z.array(z.looseObject({ id: z.string(), basePath: z.string() })) },
    handler: ({ c, deps }) => c.json(deps.describeProviders()),
  }),
];

/** Every `/__admin` route, in the order they are matched. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  ...serverRoutes,
  ...inboxRoutes,
  ...journalRoutes,
  ...scenarioRoutes,
  ...callbackRoutes,
  ...contractRoutes,
];
