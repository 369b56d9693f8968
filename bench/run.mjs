// `npm run bench`: waotp against the ceiling of this machine, measured in the same run.
// Servers and the load generator each run in their own process, on loopback only; every load run is
// bounded in time (or count), and targets alternate across rounds so machine drift cancels out.
// Every throughput run starts with an unmeasured warm-up on the connections it then measures (JIT, connection
// set-up): a cold first second and the server accepting 100 new connections otherwise set the p99 of whole runs.
// Knobs: BENCH_DURATION (s per run, default 4), BENCH_ROUNDS (default 2), BENCH_SENDS (memory run, default 1000000),
// BENCH_WARMUP (s, default 1; 0 skips it).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { providers } from '../dist/providers/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/waotp.js`;
// Started the way `npx waotp` starts it: with the bin's shebang flags (none: the shebang is a plain
// `#!/usr/bin/env node`; `waotp sim` and `dev` set their heap flags themselves, src/cli/heap.ts).
const NODE_FLAGS = (/^#!.*?node(.*)$/m.exec(readFileSync(BIN, 'utf8'))?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SENDS = Number(process.env.BENCH_SENDS ?? 1_000_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const CALIBRATION_US = [5, 10, 20, 40];
const CONFIG = `${ROOT}bench/waotp.bench.yaml`;
const children = new Set();

function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

/** Spawns a server process and resolves with the first URL it prints (or the Nth, for waotp dev). */
function startServer(args, pattern = /listening on (http:\/\/\S+)/, flags = NODE_FLAGS, env = {}) {
  const child = spawn(process.execPath, args[0] === BIN ? [...flags, ...args] : args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${output}`)), 15_000);
    // The request log keeps coming on stderr: read it (a full pipe would stall the server), keep only the start.
    const onData = (chunk) => {
      if (output.length > 1 << 16) return;
      output += chunk;
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, pid: child.pid });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`)));
  });
}

function stop({ child }) {
  children.delete(child);
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** One autocannon run in its own process, measured after its warm-up on the same connections (bench/load.mjs). */
function load(job) {
  const result = spawnSync(
    process.execPath,
    [`${ROOT}bench/load.mjs`, JSON.stringify({ duration: DURATION, warmup: WARMUP, ...job })],
    { encoding: 'utf8', maxBuffer: 1 << 20, timeout: (job.amount ? 900 : DURATION + WARMUP + 120) * 1000 },
  );
  if (result.status !== 0) throw new Error(`load run failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

const status = (pid, field) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const rss = (pid) => status(pid, 'VmRSS');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Reads a process's CPU time (user + system, ms) from /proc: steadier than wall time on a shared machine. */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

/** Spawn to first HTTP answer, median of `runs`; `up` says which status counts as ready. */
async function coldStart(args, { runs = 7, path = '/__admin/health', up = (status) => status === 200 } = {}) {
  const times = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [...args, '--port', String(port)], {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, PORT: String(port) },
    });
    children.add(child);
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}${path}`);
        if (up(r.status)) break;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 10_000) throw new Error(`${args.join(' ')} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
    times.push(performance.now() - started);
    cpu.push(cpuMs(child.pid));
    await stop({ child });
  }
  return { medianMs: median(times), runsMs: times.map((t) => Math.round(t)), cpuMs: median(cpu) };
}

/** The same cold start for a bare node process printing nothing: the floor under any CLI. */
function nodeFloor(runs = 7) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function main() {
  const sample = (id) =>
    providers
      .find((p) => p.id === id)
      .endpoints.find((e) => e.kind === 'send' && e.sample)
      .sample('6281234567890');
  console.error(
    `waotp bench: ${DURATION}s per run, ${ROUNDS} rounds, ${SENDS} sends for memory; node ${process.version}`,
  );

  const ceiling = await startServer([`${ROOT}bench/ceiling.mjs`]);
  // The simulator's own cost with its request log off; the log's cost is its own row (a second process).
  const sim = await startServer([BIN, 'sim', '--port', '0', '--config', CONFIG, '--log-level', 'silent']);
  const simLogged = await startServer([BIN, 'sim', '--port', '0', '--config', CONFIG]);
  const ceilingUrl = ceiling.match[1];
  const simUrl = sim.match[1];
  const dev = await startServer(
    [BIN, 'dev', '--port', '0', '--core-port', '0', '--config', CONFIG, '--log-level', 'silent'],
    /simulator listening on (\S+)[\s\S]*OTP service listening on (\S+)/,
  );
  const coreUrl = dev.match[2];
  // Calibration: the same bare route spending a fixed amount of CPU per request. It shows what ratio any server
  // doing that much work per request reaches on this machine (each answer's write also wakes the load generator).
  const calibrations = [];
  for (const us of CALIBRATION_US)
    calibrations.push({ us, server: await startServer([`${ROOT}bench/ceiling.mjs`], undefined, [], { WORK_US: us }) });

  const splashify = sample('splashify');
  const targets = [];
  for (const connections of [10, 100]) {
    targets.push({
      name: 'ceiling: bare Hono, fixed reply',
      group: 'ceiling',
      connections,
      job: { url: `${ceilingUrl}${splashify.path}`, headers: splashify.headers, body: splashify.body },
    });
    for (const provider of providers) {
      const s = sample(provider.id);
      targets.push({
        name: `sim ${provider.id} send`,
        group: 'send',
        connections,
        job: { url: `${simUrl}${s.path}`, headers: s.headers, body: s.body },
      });
    }
  }
  for (const { us, server } of calibrations) {
    targets.push({
      name: `calibration: bare Hono + ${us} µs of CPU per request`,
      group: 'calibration',
      connections: 100,
      job: { url: `${server.match[1]}${splashify.path}`, headers: splashify.headers, body: splashify.body },
    });
  }
  const sandbox = sample('verihubs');
  targets.push({
    name: 'sim verihubs sandbox 6282123060001',
    group: 'scenario',
    connections: 100,
    job: {
      url: `${simUrl}/v1/whatsapp/otp/send/sandbox`,
      headers: sandbox.headers,
      body: { msisdn: '6282123060001', content: ['Registration'] },
    },
  });
  targets.push({
    name: 'sim splashify send, request log on (JSON lines to a pipe)',
    group: 'send',
    connections: 100,
    job: { url: `${simLogged.match[1]}${splashify.path}`, headers: splashify.headers, body: splashify.body },
  });
  targets.push({
    name: 'sim splashify rate_limited (magic number)',
    group: 'scenario',
    connections: 100,
    job: {
      url: `${simUrl}${splashify.path}`,
      headers: splashify.headers,
      body: { ...splashify.body, fullPhoneNumber: '12085550100' },
    },
  });
  targets.push({
    name: 'core send end to end (waotp dev)',
    group: 'core',
    connections: 100,
    job: {
      url: `${coreUrl}/v1/verifications`,
      headers: { 'content-type': 'application/json' },
      body: {},
      uniqueTo: 'to',
      toPrefix: '+62812',
    },
  });

  const runs = new Map(targets.map((t) => [t, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of targets) {
      const result = load({ ...target.job, connections: target.connections });
      runs.get(target).push(result);
      console.error(
        `round ${round} ${target.name} @${target.connections}: ${Math.round(result.rps)} req/s p99 ${result.p99} ms`,
      );
    }
  }
  await stop(dev);
  await stop(simLogged);
  for (const { server } of calibrations) await stop(server);

  const checks = [];
  for (const store of ['memory', 'redis']) {
    const redis = store === 'redis' ? await startRedis() : undefined;
    if (store === 'redis' && !redis) {
      checks.push({ store, skipped: 'redis-server is not installed' });
      continue;
    }
    const core = await startServer(
      [BIN, 'dev', '--port', '0', '--core-port', '0', '--config', CONFIG, '--store', redis ? redis.url : 'memory'],
      /simulator listening on (\S+)[\s\S]*OTP service listening on (\S+)/,
    );
    const url = core.match[2];
    const ids = [];
    for (let i = 0; i < 500; i++) {
      const r = await fetch(`${url}/v1/verifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: `+628129${String(1000000 + i)}` }),
      });
      ids.push((await r.json()).id);
    }
    const result = load({
      url: `${url}/v1/verifications/check`,
      headers: { 'content-type': 'application/json' },
      connections: 100,
      cycle: ids.map((id) => ({ id, code: '000000' })),
    });
    checks.push({ store, ...result });
    console.error(`core check (${store}): ${Math.round(result.rps)} req/s p99 ${result.p99} ms`);
    await stop(core);
    if (redis) await stop(redis);
  }

  // RSS of the bin as installed over SENDS accepted sends.
  const memoryOf = async (flags) => {
    const memorySim = await startServer(
      [BIN, 'sim', '--port', '0', '--config', CONFIG, '--log-level', 'silent'],
      undefined,
      flags,
    );
    const rssBefore = rss(memorySim.pid);
    const memoryRun = load({
      url: `${memorySim.match[1]}${splashify.path}`,
      headers: splashify.headers,
      body: splashify.body,
      connections: 100,
      amount: SENDS,
    });
    const rssAfter = rss(memorySim.pid);
    const peak = status(memorySim.pid, 'VmHWM');
    // A snapshot right after the load depends on where the collector happens to be; a few idle seconds later
    // is what a long-running simulator keeps.
    await new Promise((r) => setTimeout(r, 5000));
    const rssSettled = rss(memorySim.pid);
    const inbox = await (await fetch(`${memorySim.match[1]}/__admin/messages?limit=1`)).json();
    await stop(memorySim);
    const sent = inbox.stored + inbox.evicted;
    console.error(
      `memory (${flags.join(' ') || 'plain bin'}): ${SENDS} sends, ` +
        `RSS ${Math.round(rssBefore)} -> ${Math.round(rssAfter)} MB ` +
        `(peak ${Math.round(peak)}, settled ${Math.round(rssSettled)}), inbox total ${sent}`,
    );
    return {
      sends: SENDS,
      completed: memoryRun.total,
      non2xx: memoryRun.non2xx,
      rssBeforeMb: Math.round(rssBefore),
      rssAfterMb: Math.round(rssAfter),
      rssSettledMb: Math.round(rssSettled),
      rssPeakMb: Math.round(peak),
      inboxTotal: sent,
      inboxKept: inbox.messages.length ? 'capped' : 'empty',
    };
  };
  const memory = await memoryOf(NODE_FLAGS);

  const cold = await coldStart([...NODE_FLAGS, BIN, 'sim', '--log-level', 'silent']);
  const ceilingCold = await coldStart([`${ROOT}bench/ceiling.mjs`], { up: () => true });
  const floor = nodeFloor();
  await stop(ceiling);
  await stop(sim);

  const rows = targets.map((t) => {
    const rs = runs.get(t);
    const ceilingRuns = runs.get(
      targets.find((x) => x.group === 'ceiling' && x.connections === t.connections) ??
        targets.find((x) => x.group === 'ceiling' && x.connections === 100),
    );
    const rps = median(rs.map((r) => r.rps));
    return {
      target: t.name,
      connections: t.connections,
      rps: Math.round(rps),
      ratio: Number((rps / median(ceilingRuns.map((r) => r.rps))).toFixed(2)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      non2xx: rs.reduce((sum, r) => sum + r.non2xx, 0),
      errors: rs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    };
  });
  const ceiling100 = rows.find((r) => r.target.startsWith('ceiling') && r.connections === 100).rps;
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    settings: { durationSeconds: DURATION, rounds: ROUNDS, sends: SENDS },
    throughput: rows,
    check: checks.map((c) =>
      c.skipped
        ? c
        : {
            store: c.store,
            rps: Math.round(c.rps),
            ratio: Number((c.rps / ceiling100).toFixed(2)),
            p50: c.p50,
            p99: c.p99,
            errors: c.errors + c.timeouts,
          },
    ),
    coldStart: {
      ...cold,
      nodeFloorMs: Math.round(floor),
      ratioToNodeFloor: Number((cold.medianMs / floor).toFixed(2)),
      ceiling: { medianMs: Math.round(ceilingCold.medianMs), cpuMs: ceilingCold.cpuMs },
    },
    memory,
  };
  results.targets = judgeTargets(results);
  writeFileSync(`${ROOT}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(results));
}

/** The targets, each judged on this run's numbers: ratios against the ceiling measured alongside. */
function judgeTargets(r) {
  const out = [];
  const judge = (target, value, goal, met) => out.push({ target, value, goal, met });
  for (const row of r.throughput.filter(
    (x) => x.target.startsWith('sim ') && x.target.endsWith(' send') && x.connections === 100,
  )) {
    judge(
      `${row.target} @100`,
      `${row.ratio}× ceiling, p99 ${row.p99} ms`,
      '≥ 0.8× ceiling, p99 < 15 ms',
      row.ratio >= 0.8 && row.p99 < 15,
    );
  }
  const core = r.throughput.find((x) => x.target.startsWith('core send'));
  if (core)
    judge(
      'core send end to end (waotp dev) @100',
      `${core.ratio}× ceiling, p99 ${core.p99} ms`,
      '≥ 0.25× ceiling, p99 < 50 ms',
      core.ratio >= 0.25 && core.p99 < 50,
    );
  for (const [store, goal] of [
    ['memory', 0.6],
    ['redis', 0.35],
  ]) {
    const check = r.check.find((c) => c.store === store);
    if (!check || check.skipped)
      judge(`core check (${store})`, check?.skipped ?? 'not run', `≥ ${goal}× ceiling`, false);
    else judge(`core check (${store})`, `${check.ratio}× ceiling`, `≥ ${goal}× ceiling`, check.ratio >= goal);
  }
  const cold = r.coldStart;
  judge(
    'cold start of waotp sim',
    `${Math.round(cold.medianMs)} ms (${cold.cpuMs} ms CPU; ` +
      `bare Hono ${cold.ceiling.medianMs} ms, ${cold.ceiling.cpuMs} ms CPU)`,
    '< 150 ms',
    cold.medianMs < 150,
  );
  judge(
    `RSS after ${r.memory.completed} sends`,
    `${r.memory.rssSettledMb} MB`,
    '< 120 MB',
    r.memory.rssSettledMb < 120 && r.memory.completed >= 1_000_000,
  );
  judge('peak RSS', `${r.memory.rssPeakMb} MB`, '< 160 MB', r.memory.rssPeakMb < 160);
  return out;
}

function table(r) {
  const lines = [
    `| target | conns | req/s | × ceiling | p50 ms | p99 ms | non-2xx |`,
    `|---|---|---|---|---|---|---|`,
    ...r.throughput.map(
      (x) => `| ${x.target} | ${x.connections} | ${x.rps} | ${x.ratio} | ${x.p50} | ${x.p99} | ${x.non2xx} |`,
    ),
    ...r.check.map((c) =>
      c.skipped
        ? `| core check (${c.store}) | | skipped: ${c.skipped} | | | | |`
        : `| core check (${c.store} store) | 100 | ${c.rps} | ${c.ratio} | ${c.p50} | ${c.p99} | |`,
    ),
    '',
    `Cold start (spawn \`waotp sim\` → first healthy /__admin/health), median of ${r.coldStart.runsMs.length}: ` +
      `${Math.round(r.coldStart.medianMs)} ms, ${r.coldStart.cpuMs} ms CPU ` +
      `(bare \`node -e 0\`: ${r.coldStart.nodeFloorMs} ms, ${r.coldStart.ratioToNodeFloor}×; ` +
      `the bare Hono ceiling: ${r.coldStart.ceiling.medianMs} ms, ${r.coldStart.ceiling.cpuMs} ms CPU).`,
    `Memory: RSS ${r.memory.rssBeforeMb} MB at start → ${r.memory.rssAfterMb} MB right after ` +
      `${r.memory.completed} accepted sends, ${r.memory.rssSettledMb} MB 5 s later ` +
      `(peak ${r.memory.rssPeakMb} MB; inbox and journal capped, inbox total ${r.memory.inboxTotal}).`,
    '',
    '| target | goal | this run | |',
    '|---|---|---|---|',
    ...r.targets.map((t) => `| ${t.target} | ${t.goal} | ${t.value} | ${t.met ? 'met' : 'missed'} |`),
  ];
  return lines.join('\n');
}

async function startRedis() {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  children.add(child);
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, url: `redis://127.0.0.1:${port}` };
}

main().then(
  () => {
    stopAll();
    process.exit(0);
  },
  (error) => {
    console.error(error);
    stopAll();
    process.exit(1);
  },
);
