// `npm run soak`: a bounded soak of the simulator under a hostile callback receiver, on loopback only.
// Steady sends across every provider while the receiver fails 30% and never answers 10% of callbacks.
// Prints accepted sends, inbox total, callback attempts by result, dropped reports, pending at the end,
// RSS at start/peak/end and the health check's p99, then the issue's expectations as met / missed.
// Flags: --seconds <n> (default 60), --rate <sends/s> (default 40), --callback-timeout <ms> (default: each
// provider's documented wait), --json (one JSON object instead of the table). Exit code 1 when missed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { providers } from '../dist/providers/index.js';
import { DEFAULT_CALLBACK_OPTIONS, retryDelayAfter } from '../dist/simulator/callback-options.js';
import { planTimeline } from '../dist/simulator/timeline.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '40' },
    'callback-timeout': { type: 'string' },
    json: { type: 'boolean' },
  },
});
const SECONDS = Math.min(Math.max(Number(values.seconds), 1), 3600);
const RATE = Math.min(Math.max(Number(values.rate), 1), 2000);
const CALLBACK_TIMEOUT = values['callback-timeout'] === undefined ? undefined : Number(values['callback-timeout']);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/waotp.js`;
const NODE_FLAGS = (/^#!.*?node(.*)$/m.exec(readFileSync(BIN, 'utf8'))?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
const log = values.json ? () => {} : (line) => console.error(line);

// A seeded PRNG, so a soak replays the same receiver behaviour.
let seed = 42;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

// ---------- the hostile receiver ----------
/** Per report (provider, message, event): how many requests arrived and how the last was answered. */
const reports = new Map();
const received = { total: 0, ok: 0, failed: 0, hung: 0 };
const keyOf = (path, query, body) => {
  if (path.startsWith('/verihubs')) return `verihubs|${query.get('session_id')}|${query.get('status')}`;
  if (path.startsWith('/splashify')) return `splashify|${body.data?.message_id}|${body.event}`;
  if (path.startsWith('/messcat')) return `messcat|${body.data?.[0]?.id}|${body.data?.[0]?.status}`;
  if (path.startsWith('/onprem')) return `whatsapp-onprem|${body.statuses?.[0]?.id}|${body.statuses?.[0]?.status}`;
  if (path.startsWith('/cloud')) {
    const status = body.entry?.[0]?.changes?.[0]?.value?.statuses?.[0];
    return `whatsapp-cloud|${status?.id}|${status?.status}`;
  }
  return `other|${path}`;
};
const receiver = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://receiver');
    // The Cloud API's verification handshake: answered, and not a report.
    if (req.method === 'GET' && url.searchParams.has('hub.challenge'))
      return void res.end(url.searchParams.get('hub.challenge'));
    let body = {};
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    } catch {}
    const key = keyOf(url.pathname, url.searchParams, body);
    const roll = random();
    const answer = roll < 0.1 ? 'hang' : roll < 0.4 ? 500 : 200;
    const report = reports.get(key) ?? { provider: key.split('|')[0], count: 0, last: 0 };
    report.count++;
    report.last = answer;
    reports.set(key, report);
    received.total++;
    if (answer === 'hang') return void received.hung++; // never answered: the simulator must give up
    answer === 200 ? received.ok++ : received.failed++;
    res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hooks = `http://127.0.0.1:${receiver.address().port}`;

// ---------- the simulator, in its own process ----------
const dir = mkdtempSync(join(tmpdir(), 'waotp-soak-'));
const config = join(dir, 'soak.yaml');
// JSON is YAML. Documented rate limits off: this soaks callbacks, not 429s.
writeFileSync(
  config,
  JSON.stringify({
    providers: Object.fromEntries(providers.map((p) => [p.id, { rateLimit: false }])),
    ...(CALLBACK_TIMEOUT !== undefined && { callbacks: { timeoutMs: CALLBACK_TIMEOUT } }),
  }),
);
const child = spawn(process.execPath, [...NODE_FLAGS, BIN, 'sim', '--port', '0', '--seed', '7', '--config', config], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let banner = '';
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`waotp sim did not start:\n${banner}`)), 15_000);
  const onData = (chunk) => {
    banner += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(banner);
    if (match) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.once('exit', (code) => reject(new Error(`waotp sim exited ${code}:\n${banner}`)));
});
const cleanup = () => {
  if (child.exitCode === null) child.kill('SIGTERM');
  receiver.closeAllConnections();
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', () => child.exitCode === null && child.kill('SIGTERM'));

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function call(method, path, { headers = {}, json, agent: via = agent } = {}) {
  const body = json === undefined ? undefined : JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent: via,
        headers: {
          ...headers,
          ...(body && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {}
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
const rssOf = () => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
};

// Every receiver named: admin targets, On-Prem's own settings (with `sent` on), Verihubs per send.
await call('PUT', '/__admin/callbacks/targets', {
  json: { splashify: `${hooks}/splashify`, messcat: `${hooks}/messcat`, 'whatsapp-cloud': `${hooks}/cloud` },
});
await call('PATCH', '/v1/settings/application', {
  headers: { authorization: 'Bearer soak' },
  json: { webhooks: { url: `${hooks}/onprem`, message: { sent: true } } },
});

// ---------- load ----------
const sends = providers.map((p) => ({ id: p.id, endpoint: p.endpoints.find((e) => e.kind === 'send') }));
const accepted = Object.fromEntries(providers.map((p) => [p.id, 0]));
let attemptedSends = 0;
let failedSends = 0;
let inFlight = 0;
let counter = 0;
const rss = { start: rssOf(), peak: 0, endOfLoad: 0, end: 0 };
const health = [];
// Health is probed on its own, every 100 ms, over its own connection (as a CI readiness probe would be).
const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let probing = true;
const probe = (async () => {
  await call('GET', '/__admin/health', { agent: probeAgent }); // warm-up, not counted
  while (probing) {
    rss.peak = Math.max(rss.peak, rssOf());
    const started = performance.now();
    const r = await call('GET', '/__admin/health', { agent: probeAgent }).catch(() => ({ status: 0 }));
    if (r.status === 200) health.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
})();
log(`soak: ${SECONDS} s at ${RATE} sends/s across ${sends.length} providers; receiver ${hooks} fails 30%, hangs 10%`);
const end = Date.now() + SECONDS * 1000;
const perTick = RATE / 20;
let owed = 0;
let nextProgress = Date.now() + 10_000;
while (Date.now() < end) {
  owed += perTick;
  for (; owed >= 1; owed--) {
    // A bound on requests in flight: a slow simulator shows as fewer sends, never as an unbounded pile-up.
    if (inFlight >= 256) continue;
    const { id, endpoint } = sends[counter % sends.length];
    const to = `62813${String(++counter).padStart(8, '0')}`;
    const req = endpoint.sample(to);
    const body = id === 'verihubs' ? { ...req.body, callback_url: `${hooks}/verihubs` } : req.body;
    attemptedSends++;
    inFlight++;
    call(endpoint.method, req.path, { headers: req.headers, json: body })
      .then((r) => (r.status >= 200 && r.status < 300 ? accepted[id]++ : failedSends++))
      .catch(() => failedSends++)
      .finally(() => inFlight--);
  }
  if (Date.now() >= nextProgress) {
    nextProgress += 10_000;
    const cb = (await call('GET', '/__admin/callbacks?limit=1')).body;
    log(
      `  ${Math.round((SECONDS * 1000 - (end - Date.now())) / 1000)} s: ${attemptedSends} sends, ` +
        `pending ${cb.pending}, in flight ${cb.inFlight}, dropped ${cb.dropped}, RSS ${rssOf()} MB`,
    );
  }
  await new Promise((r) => setTimeout(r, 50));
}
while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
rss.endOfLoad = rssOf();

// ---------- drain: what is due goes out; what is scheduled later may stay ----------
// The longest a report may still be trying: every attempt the provider's policy allows hanging until its timeout,
// plus the backoff between them. Two hung attempts in a row were the old bound, and one 60 s run ended with a
// report still retrying (its pending count one over).
const longestChainMs = Math.max(
  ...providers
    .filter((p) => p.callbacks)
    .map(({ callbacks: { delivery } }) => {
      let ms = delivery.attempts * (CALLBACK_TIMEOUT ?? delivery.timeoutMs);
      for (let attempt = 1; attempt < delivery.attempts; attempt++)
        ms += retryDelayAfter(attempt, DEFAULT_CALLBACK_OPTIONS.retryDelayMs);
      return ms;
    }),
);
const drainLimit = Date.now() + longestChainMs + 10_000;
// Drained once nothing is due or in flight and the count has held for 3 s (longer than any retry backoff):
// what remains is scheduled minutes later (Verihubs' "unverified" at time_limit).
let stats = (await call('GET', '/__admin/callbacks?limit=1')).body;
let steadySince = Date.now();
while (Date.now() < drainLimit) {
  await new Promise((r) => setTimeout(r, 250));
  const next = (await call('GET', '/__admin/callbacks?limit=1')).body;
  if (next.pending !== stats.pending || next.pending !== next.later) steadySince = Date.now();
  stats = next;
  if (Date.now() - steadySince >= 3000) break;
}
// Settled: the collector has had its chance to give memory back.
await new Promise((r) => setTimeout(r, 2000));
probing = false;
await probe;
rss.end = rssOf();
const inbox = (await call('GET', '/__admin/messages?limit=1')).body;
const healthEnd = (await call('GET', '/__admin/health')).body;

// ---------- the retry policy, seen from the receiver ----------
const policy = Object.fromEntries(
  providers.filter((p) => p.callbacks).map((p) => [p.id, p.callbacks.delivery.attempts]),
);
// Each accepted send's reports on a normal timeline, from the provider's own states ("unverified" falls due
// minutes later, past the soak).
const reportsPerSend = Object.fromEntries(
  providers
    .filter((p) => p.callbacks)
    .map((p) => [
      p.id,
      planTimeline({ timeline: 'normal', failed: false, createdAt: 0, states: p.callbacks.states }).filter(
        (r) => r.state !== 'unverified',
      ).length,
    ]),
);
const expectedReports = Object.entries(reportsPerSend).reduce((sum, [id, n]) => sum + accepted[id] * n, 0);
let retryViolations = 0;
let retried = 0;
for (const report of reports.values()) {
  if (report.count > 1) retried++;
  const limit = policy[report.provider] ?? 1;
  if (report.count > limit) retryViolations++;
  // Failed every time, yet fewer attempts than the policy allows: a retry was lost.
  if (report.last !== 200 && report.count < limit) retryViolations++;
}
const q = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length
    ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 100) / 100
    : NaN;
};
const result = {
  seconds: SECONDS,
  rate: RATE,
  sends: {
    attempted: attemptedSends,
    accepted: Object.values(accepted).reduce((a, b) => a + b, 0),
    failed: failedSends,
    byProvider: accepted,
  },
  inboxTotal: inbox.total,
  callbacks: {
    attempts: stats.attempts,
    dropped: stats.dropped,
    pendingAtEnd: stats.pending,
    scheduledLater: stats.later,
    reportsExpected: expectedReports,
    reportsAttempted: reports.size,
    reportsRetried: retried,
    retryPolicyViolations: retryViolations,
    receiver: received,
    socketsAtEnd: healthEnd.callbacks?.sockets,
  },
  rssMb: rss,
  healthMs: { samples: health.length, p50: q(health, 0.5), p99: q(health, 0.99), max: q(health, 1) },
};
const expectations = [
  ['every report attempted', result.callbacks.reportsAttempted >= expectedReports],
  ["retries per each provider's policy", retryViolations === 0],
  ['none dropped for a full queue', stats.dropped === 0],
  ['pending drains to what is scheduled later', stats.pending === stats.later],
  ['RSS ends under 200 MB', rss.end < 200],
  ['health p99 under 100 ms', result.healthMs.p99 < 100],
];
result.expectations = Object.fromEntries(expectations);
cleanup();
if (values.json) console.log(JSON.stringify(result));
else {
  const a = stats.attempts;
  console.log(
    [
      `soak: ${SECONDS} s at ${RATE} sends/s (loopback; receiver fails 30%, hangs 10%)`,
      `  sends accepted      ${result.sends.accepted} of ${attemptedSends} (${Object.entries(accepted)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
      `  inbox total         ${inbox.total}`,
      `  callback attempts   delivered ${a.delivered}, answered non-2xx ${a.rejected}, timed out ${a.timedOut}, ` +
        `connection errors ${a.failed}, refused ${a.refused}`,
      `  reports             ${reports.size} attempted of ${expectedReports} planned; ` +
        `${retried} retried; policy violations ${retryViolations}`,
      `  dropped reports     ${stats.dropped}`,
      `  pending at end      ${stats.pending} (scheduled later: ${stats.later}); ` +
        `sender sockets ${healthEnd.callbacks?.sockets}`,
      `  RSS (MB)            start ${rss.start}, peak ${rss.peak}, end of load ${rss.endOfLoad}, end ${rss.end}`,
      `  health latency (ms) p50 ${result.healthMs.p50}, p99 ${result.healthMs.p99}, max ${result.healthMs.max} ` +
        `(${health.length} samples)`,
      '',
      ...expectations.map(([name, ok]) => `  ${ok ? 'met   ' : 'MISSED'}  ${name}`),
    ].join('\n'),
  );
}
process.exit(expectations.every(([, ok]) => ok) ? 0 : 1);
