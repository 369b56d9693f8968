// The load generator, in its own process so it never competes with the server's event loop:
// argv[2] is a JSON job, stdout gets one JSON result line.
// With `warmup` (seconds), only responses after the warm-up are measured, on the same connections, and the
// warm-up lasts until every connection has had an answer: a new connection's first request waits for the server
// to accept it, and a busy Node server accepts one connection per event-loop turn (100 connections took 2-3 s
// under load), so those first requests would otherwise be the run's p99 whatever the server's steady state.
import autocannon from 'autocannon';

const job = JSON.parse(process.argv[2]);
let n = 0;
const requests = job.uniqueTo
  ? [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            ...job.body,
            [job.uniqueTo]: job.toPrefix + String(10_000_000 + ((process.pid * 7919 + n++) % 89_999_999)),
          }),
        }),
      },
    ]
  : job.cycle
    ? [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(job.cycle[n++ % job.cycle.length]) }) }]
    : undefined;
const warmup = !job.amount && job.warmup > 0 ? job.warmup : 0;
// A warm-up run has no fixed length: it stops `duration` seconds after the measurement starts (or at this bound).
const WARMUP_BOUND_S = 60;
const instance = autocannon({
  url: job.url,
  method: job.method ?? 'POST',
  headers: job.headers ?? {},
  body: job.body === undefined ? undefined : JSON.stringify(job.body),
  connections: job.connections,
  ...(job.amount ? { amount: job.amount } : { duration: job.duration + (warmup ? warmup + WARMUP_BOUND_S : 0) }),
  ...(requests && { requests }),
  timeout: 10,
});
const measured = { latencies: [], non2xx: 0, started: 0, ended: 0 };
if (warmup) {
  const answered = new Set();
  const startedAt = performance.now();
  instance.on('response', (client, status, _bytes, ms) => {
    if (!measured.started) {
      answered.add(client);
      if (answered.size < job.connections || performance.now() - startedAt < warmup * 1000) return;
      measured.started = performance.now();
      setTimeout(() => {
        measured.ended = performance.now();
        instance.stop();
      }, job.duration * 1000);
      return;
    }
    if (measured.ended) return;
    measured.latencies.push(ms);
    if (status < 200 || status > 299) measured.non2xx++;
  });
}
const result = await instance;
const summary = {
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
};
if (warmup && measured.latencies.length > 0) {
  const sorted = measured.latencies.sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]);
  Object.assign(summary, {
    rps: sorted.length / (((measured.ended || performance.now()) - measured.started) / 1000),
    p50: at(0.5),
    p99: at(0.99),
    total: sorted.length,
    non2xx: measured.non2xx,
  });
}
process.stdout.write(`${JSON.stringify(summary)}\n`);
