/**
 * Assembles the fake-provider server: every registered provider's endpoints, at its documented path and
 * under `/<id>`, plus the admin API. Knows providers only through the registry.
 * @module
 */
import { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { type IdSource, type ProviderDefinition, secretHeaders } from '../providers/define.js';
import { providers as registry } from '../providers/index.js';
import { problem } from '../util/problem.js';
import { createAdminGuard } from './admin-guard.js';
import { ADMIN_ROUTES } from './admin-routes.js';
import { mountAdminRoutes } from './admin-table.js';
import type { SelfAddress } from './callback-policy.js';
import { type Catalogue, loadCatalogue, type RulePack } from './catalogue.js';
import { type Clock, createClock } from './clock.js';
import { parseConfig, type SimulatorConfig, settingsFor } from './config.js';
import { type CallbackOptions, createDispatcher, type Dispatcher } from './dispatcher.js';
import { createIds } from './ids.js';
import { createInbox, type Inbox } from './inbox.js';
import { createJournal, type Journal } from './journal.js';
import { createLimits } from './limits.js';
import { createEndpointHandler, type PipelineDeps, type ProviderRuntime, SESSION_HEADER } from './pipeline.js';
import { describeProviders } from './provider-directory.js';
import { createRequestLog, type RequestLogOptions } from './request-log.js';
import { assertNoRouteCollisions } from './route-collisions.js';
import { createScenarios, type Scenarios } from './scenarios.js';
import { createInboxUi } from './ui/index.js';
import { createUnmatched, type Unmatched } from './unmatched.js';

export interface SimulatorOptions {
  config?: SimulatorConfig;
  /** Seeds every generated id and value; overrides `config.seed`. */
  seed?: number;
  clock?: Clock;
  providers?: readonly ProviderDefinition[];
  delays?: Partial<PipelineDeps['delays']>;
  /** The outcome catalogue; default: the package's scenarios/catalogue.yaml. */
  catalogue?: Catalogue;
  /** Rule packs armed at start and again after every reset (`--scenarios`). */
  rulePacks?: RulePack[];
  /** Delivery callbacks (allow-list, speed, timeouts...); overrides `config.callbacks`. */
  callbacks?: Partial<CallbackOptions>;
  /** Control-plane safety (token, allowed hosts and origins, event-stream buffer); overrides `config.admin`. */
  admin?: NonNullable<SimulatorConfig['admin']>;
  /** The request log (one line per request on stderr); default: none. */
  log?: RequestLogOptions;
}

export interface Simulator {
  app: Hono;
  clock: Clock;
  inbox: Inbox;
  journal: Journal;
  scenarios: Scenarios;
  unmatched: Unmatched;
  providers: readonly ProviderDefinition[];
  runtime(id: string): ProviderRuntime;
  /** Delivery callbacks: attempts, targets, and `drain()` for a graceful shutdown. */
  callbacks: Dispatcher;
  /** Back to the state at start: inbox, journal, counters, provider state and clock. */
  reset(): void;
  /** Where the simulator listens, once it does: the admin Host check and the callback policy read it. */
  self: SelfAddress;
}

/**
 * Creates the simulator app with its state. Serve `app.fetch`, or call `app.request()` in tests.
 * @example
 * const sim = createSimulator({ seed: 42 });
 * const res = await sim.app.request('/__admin/health');
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const { providers = registry } = options;
  if (!Array.isArray(providers as unknown)) {
    // The mistake the config file's shape invites: its `providers` section belongs under `config`.
    throw new TypeError(
      'createSimulator: `providers` is the provider registry (an array); per-provider settings go in ' +
        "`config.providers`, or use startSimulator() from 'waotp/testing', which takes the config file's shape",
    );
  }
  assertNoRouteCollisions(providers);
  // Configs built in code get the same checks as a config file.
  const config = parseConfig(options.config ?? {}, providers);
  const clock = options.clock ?? createClock();
  const seed = options.seed ?? config.seed;
  let ids: IdSource = createIds(seed);
  const inbox = createInbox({ ...config.inbox, now: clock.now });
  const secrets = new Set(providers.flatMap(secretHeaders));
  const log = options.log && createRequestLog({ ...options.log, secretHeaders: secrets });
  const journal = createJournal({ ...config.journal, secretHeaders: secrets, ...(log && { onAdd: log.request }) });
  const self: SelfAddress = {};
  const limits = createLimits(clock.now);
  const runtimes = new Map<string, ProviderRuntime>();
  const freshState = (definition: ProviderDefinition) => {
    const settings = settingsFor(config, definition.id);
    runtimes.set(definition.id, {
      definition,
      settings,
      state: definition.createState({ now: clock.now, ids, settings }),
    });
  };
  providers.forEach(freshState);
  const runtime = (id: string) => {
    const found = runtimes.get(id);
    if (!found) throw new Error(`provider ${id} is not registered`);
    return found;
  };

  const catalogue = options.catalogue ?? loadCatalogue();
  const scenarios = createScenarios({ catalogue, now: clock.now, ...(seed !== undefined && { seed }) });
  const armPacks = () => {
    for (const pack of options.rulePacks ?? []) {
      pack.rules.forEach((rule) => scenarios.arm(rule, null));
      if (pack.chaos) scenarios.setChaos(pack.chaos);
    }
  };
  armPacks();
  const routes = providers.flatMap((p) =>
    p.endpoints.flatMap((e) =>
      [e.path, `/${p.id}${e.path}`].map((path) => ({ provider: p.id, method: e.method, path })),
    ),
  );
  const unmatched = createUnmatched(routes);

  const callbacks = createDispatcher({
    clock,
    inbox,
    provider: runtime,
    options: { ...config.callbacks, ...options.callbacks },
    self,
  });

  const deps: PipelineDeps = {
    clock,
    get ids() {
      return ids;
    },
    inbox,
    journal,
    limits,
    runtime,
    scenarios,
    callbacks,
    delays: {
      slowMs: catalogue.outcomes.slow.delayMs ?? 2000,
      timeoutCapMs: catalogue.outcomes.timeout.capMs ?? 60_000,
      ...options.delays,
    },
  };

  const reset = (session?: string) => {
    callbacks.reset(session);
    inbox.clear(session);
    journal.clear(session);
    unmatched.clear(session);
    if (session !== undefined) return scenarios.clearRules(session);
    limits.reset();
    clock.reset();
    scenarios.reset();
    armPacks();
    ids = createIds(seed);
    providers.forEach(freshState);
  };

  // What Hono's default router settles on for these routes anyway (RegExpRouter refuses them), without its failed try.
  const app = new Hono({ router: new TrieRouter() });
  const admin = { ...config.admin, ...options.admin };
  const guard = createAdminGuard({ ...admin, self });
  app.use('/__admin', guard);
  app.use('/__admin/*', guard);
  app.use('/', guard);
  const health = () => {
    const { pending, later, inFlight, dropped, sockets } = callbacks.stats();
    return { callbacks: { pending, later, inFlight, dropped, sockets } };
  };
  mountAdminRoutes(app, ADMIN_ROUTES, {
    inbox,
    journal,
    scenarios,
    clock,
    unmatched,
    callbacks,
    providers,
    reset,
    health,
    describeProviders: () => describeProviders(providers, config),
    sseBufferBytes: admin.sseBufferBytes,
  });
  app.route('/', createInboxUi({ providers, catalogue: scenarios.catalogue }));
  for (const provider of providers) {
    for (const endpoint of provider.endpoints) {
      app.on(
        endpoint.method,
        [endpoint.path, `/${provider.id}${endpoint.path}`],
        createEndpointHandler(provider, endpoint, deps),
      );
    }
  }
  app.notFound((c) => {
    if (c.req.path.startsWith('/__admin'))
      return problem(404, 'Not Found', `no admin route ${c.req.method} ${c.req.path}`);
    const entry = unmatched.record({
      time: new Date(clock.now()).toISOString(),
      method: c.req.method,
      path: c.req.path,
      session: c.req.header(SESSION_HEADER) ?? null,
    });
    log?.unmatched(entry, 0);
    const owner = providers.find(
      (p) => p.notFound && [`/${p.id}`, ...p.notFound.prefixes].some((prefix) => underPrefix(c.req.path, prefix)),
    );
    if (owner?.notFound) {
      const reply = owner.notFound.reply(c.req.method, c.req.path);
      return c.json(reply.body ?? null, reply.status as 404, reply.headers);
    }
    const hint = entry.nearest
      ? `; nearest: ${entry.nearest.method} ${entry.nearest.path} (${entry.nearest.differences.join('; ')})`
      : '';
    return problem(
      404,
      'Not Found',
      `no route ${c.req.method} ${c.req.path}${hint}`,
      entry.nearest ? { nearest: entry.nearest } : {},
    );
  });
  app.onError((error) => {
    console.error(error);
    return problem(500, 'Internal simulator error', 'this is a bug in waotp, not a simulated provider failure');
  });
  return {
    app,
    clock,
    inbox,
    journal,
    scenarios,
    unmatched,
    providers,
    runtime,
    callbacks,
    reset: () => reset(),
    self,
  };
}

/** Whether `path` is `prefix` itself or below it, by whole segments. */
function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}
